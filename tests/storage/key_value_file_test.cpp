// Status files: every value survives a write and a read (strings with quotes, backslashes and
// newlines; numbers to the last bit; NaN), a missing file is "none", and a malformed line names
// file:line.
#include "storage/key_value_file.hpp"
#include "tests/common/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace hierad::storage {
namespace {

using hierad::test::TempDir;

TEST(KeyValueFile, RoundTripsStringsAndNumbersExactly) {
  TempDir dir;
  KeyValues values;
  values.set("label", "train.lr=0.001 \"quoted\" back\\slash\nsecond line");
  values.set("state", "done");
  values.set("bpd", 0.1 + 0.2);  // not a short decimal: needs all 17 digits
  values.set("step", 123456789.0);
  values.set("nan", std::nan(""));
  write_key_values(dir / "status.toml", values, "a header");
  const auto back = read_key_values_if_present(dir / "status.toml");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->text("label"), values.text("label"));
  EXPECT_EQ(back->text("state"), "done");
  EXPECT_EQ(back->number("bpd"), 0.1 + 0.2);
  EXPECT_EQ(back->number("step"), 123456789.0);
  EXPECT_TRUE(std::isnan(*back->number("nan")));
  EXPECT_FALSE(back->number("state").has_value());  // a string is not a number
  EXPECT_FALSE(back->text("missing").has_value());
  // No temporary sibling is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator{}), 1);
}

TEST(KeyValueFile, MissingFileIsNoneAndBadLinesNameTheirPlace) {
  TempDir dir;
  EXPECT_FALSE(read_key_values_if_present(dir / "none.toml").has_value());
  hierad::test::write_text(dir / "bad.toml", "# header\nstate = \"done\"\nstep 12\n");
  try {
    read_key_values_if_present(dir / "bad.toml");
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("bad.toml:3: expected `key = value`"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace hierad::storage
