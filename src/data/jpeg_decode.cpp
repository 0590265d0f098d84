#include "src/data/jpeg_decode.hpp"

#include "src/data/image_guard.hpp"

#include <csetjmp>
#include <cstdio>

// jpeglib.h needs size_t and FILE declared before it.
#include <jerror.h>
#include <jpeglib.h>

namespace hierad::data {

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: it longjmps back to
// decode_steps. Warnings and the progress monitor may jump there too.
struct ErrorManager {
  jpeg_error_mgr base;  // first member: libjpeg hands callbacks &base as cinfo->err
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

ErrorManager& manager_of(j_common_ptr cinfo) { return *reinterpret_cast<ErrorManager*>(cinfo->err); }

[[noreturn]] void fail_with(j_common_ptr cinfo, const char* message) {
  ErrorManager& err = manager_of(cinfo);
  std::snprintf(err.message, sizeof err.message, "%s", message);
  std::longjmp(err.jump, 1);
}

[[noreturn]] void on_error(j_common_ptr cinfo) {
  ErrorManager& err = manager_of(cinfo);
  (*cinfo->err->format_message)(cinfo, err.message);
  std::longjmp(err.jump, 1);
}

// level -1 is a warning, 0 and above are trace messages (never printed: hierad reports per file).
void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  // jpeg_mem_src's answer to a read past the end: it inserts an EOI and the image decodes with
  // its missing part grey. A truncated training image is refused instead, as PIL refuses it.
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) fail_with(cinfo, "file ends before its image is complete (truncated)");
  ++cinfo->err->num_warnings;
}

void on_progress(j_common_ptr cinfo) {
  const auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxJpegScans)
    fail_with(cinfo, "more progressive scans than any encoder writes (decoder loop)");
}

struct Decoder {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
};

// Adobe CMYK (inverted, as Photoshop stores it) or plain CMYK, 4 bytes a pixel, to RGB in place.
void cmyk_to_rgb(std::vector<std::uint8_t>& pixels, bool inverted) {
  const std::size_t count = pixels.size() / 4;
  for (std::size_t p = 0; p < count; ++p) {
    const std::uint8_t* in = &pixels[p * 4];
    const unsigned k = inverted ? in[3] : 255u - in[3];
    std::uint8_t rgb[3];
    for (int c = 0; c < 3; ++c) {
      const unsigned ink = inverted ? in[c] : 255u - in[c];
      rgb[c] = static_cast<std::uint8_t>((ink * k + 127) / 255);
    }
    for (int c = 0; c < 3; ++c) pixels[p * 3 + static_cast<std::size_t>(c)] = rgb[c];
  }
  pixels.resize(count * 3);
}

// Every object this function changes between setjmp and a longjmp lives in *d or *out, the
// caller's: locals of a function that calls setjmp are indeterminate after the jump.
bool decode_steps(Decoder* d, const std::uint8_t* bytes, std::size_t size, DecodedImage* out, bool header_only,
                  std::string* why) {
  if (setjmp(d->err.jump) != 0) return false;
  jpeg_decompress_struct& cinfo = d->cinfo;
  jpeg_mem_src(&cinfo, bytes, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  *why = check_pixel_count(cinfo.image_width, cinfo.image_height, size, /*png=*/false);
  if (!why->empty()) return false;
  const bool cmyk = cinfo.num_components == 4;
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
  out->width = static_cast<int>(cinfo.image_width);
  out->height = static_cast<int>(cinfo.image_height);
  out->channels = cinfo.num_components == 1 ? 1 : 3;
  if (header_only) return true;

  jpeg_start_decompress(&cinfo);
  const std::size_t stride = std::size_t{cinfo.output_width} * static_cast<std::size_t>(cinfo.output_components);
  out->pixels.resize(stride * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->pixels.data() + stride * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  if (cmyk) cmyk_to_rgb(out->pixels, cinfo.saw_Adobe_marker != 0);
  return true;
}

}  // namespace

std::string decode_jpeg(const std::uint8_t* bytes, std::size_t size, DecodedImage* out, bool header_only) {
  Decoder d{};
  d.cinfo.err = jpeg_std_error(&d.err.base);
  d.err.base.error_exit = on_error;
  d.err.base.emit_message = on_message;
  d.err.progress.progress_monitor = on_progress;
  std::string why;
  *out = DecodedImage{};
  // jpeg_create_decompress itself reports through error_exit (out of memory), so it is called
  // under a jump target of its own.
  if (setjmp(d.err.jump) != 0) return std::string("JPEG: ") + d.err.message;
  jpeg_create_decompress(&d.cinfo);
  d.cinfo.progress = &d.err.progress;
  // No backing store in libjpeg-turbo: a file whose coefficient buffers would pass 1 GiB fails
  // with "Backing store not supported" instead of allocating (progressive files buffer them all).
  d.cinfo.mem->max_memory_to_use = 1L << 30;
  const bool ok = decode_steps(&d, bytes, size, out, header_only, &why);
  jpeg_destroy_decompress(&d.cinfo);
  if (ok) return {};
  *out = DecodedImage{};
  return why.empty() ? std::string("JPEG: ") + d.err.message : why;
}

}  // namespace hierad::data
