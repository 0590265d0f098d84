int hierad_pch_anchor = 0;  // the precompiled LibTorch header is built with this file
