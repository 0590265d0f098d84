/* The parts of stb that hierad's readers use (stb_image: decode, stb_image_resize: resize.cpp),
   compiled from Debian's headers inside the fuzz build, so that AddressSanitizer and
   UndefinedBehaviorSanitizer instrument them (cmake/HieradDependencies.cmake): the prebuilt
   libstb.so is not instrumented, and ASan would not see an overflow inside it. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>
