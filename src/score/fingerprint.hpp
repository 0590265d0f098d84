// A fingerprint of a data set's examples, recorded in score files so that analysis can tell
// whether two files scored the same images (same count, same pixels) without re-reading them.
#pragma once

#include "src/data/source.hpp"

#include <string>

namespace hierad::score {

// "n=<count>;shape=CxHxW;fnv1a64=<16 hex digits>" over up to 256 examples spread evenly across the
// set (first and last included): cheap for 80M images, and any reordering, resizing or different
// file changes it with overwhelming probability.
std::string fingerprint(const data::Source& source);

}  // namespace hierad::score
