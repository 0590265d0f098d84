// Augmentation: shift with zero fill and horizontal flip against a brute-force definition, and
// the statistics and determinism of the per-image draws.
#include "src/data/augment.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hierad::data {
namespace {

// The brute-force definition of apply_augment (augment.hpp).
std::vector<std::uint8_t> reference(const std::vector<std::uint8_t>& in, const Shape& s, const AugmentDraw& d) {
  std::vector<std::uint8_t> out(in.size());
  for (int c = 0; c < s.channels; ++c)
    for (int y = 0; y < s.height; ++y)
      for (int x = 0; x < s.width; ++x) {
        const int sy = y - d.dy, sx = x - d.dx;
        const bool inside = sy >= 0 && sy < s.height && sx >= 0 && sx < s.width;
        const int col = d.flip ? s.width - 1 - sx : sx;
        out[static_cast<std::size_t>((c * s.height + y) * s.width + x)] =
            inside ? in[static_cast<std::size_t>((c * s.height + sy) * s.width + col)] : 0;
      }
  return out;
}

void check_all_draws(const Shape& s, int max_shift) {
  std::vector<std::uint8_t> in(static_cast<std::size_t>(s.bytes())), out(in.size());
  for (std::size_t k = 0; k < in.size(); ++k) in[k] = static_cast<std::uint8_t>(1 + test::pattern_byte(5, static_cast<std::int64_t>(k)) % 255);
  for (int dx = -max_shift; dx <= max_shift; ++dx)
    for (int dy = -max_shift; dy <= max_shift; ++dy)
      for (bool flip : {false, true}) {
        const AugmentDraw d{dx, dy, flip};
        apply_augment(in.data(), out.data(), s, d);
        ASSERT_EQ(out, reference(in, s, d)) << "dx " << dx << " dy " << dy << " flip " << flip;
        std::vector<std::uint8_t> inplace = in;
        apply_augment_inplace(inplace.data(), s, d);
        ASSERT_EQ(inplace, out) << "in place, dx " << dx << " dy " << dy << " flip " << flip;
      }
}

TEST(Augment, MatchesTheDefinitionForEveryShiftAndFlip) {
  check_all_draws({3, 32, 32}, 9);   // the 32-wide register path (|dx| <= 8) and beyond it
  check_all_draws({1, 28, 28}, 4);   // the general path
  check_all_draws({2, 5, 7}, 8);     // shifts as large as the image, and larger
}

TEST(Augment, DrawsAreUniformDeterministicAndKeyedOnSeedEpochIndex) {
  const AugmentOptions o{3, true};
  std::map<int, int> dx_count, dy_count;
  int flips = 0;
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const AugmentDraw d = draw_augment(o, 9, 2, i);
    ++dx_count[d.dx];
    ++dy_count[d.dy];
    flips += d.flip;
  }
  ASSERT_EQ(dx_count.size(), 7u);
  ASSERT_EQ(dy_count.size(), 7u);
  EXPECT_EQ(dx_count.begin()->first, -3);
  EXPECT_EQ(dx_count.rbegin()->first, 3);
  for (const auto& [v, c] : dx_count) EXPECT_NEAR(c, n / 7.0, 0.05 * n / 7.0) << "dx " << v;
  for (const auto& [v, c] : dy_count) EXPECT_NEAR(c, n / 7.0, 0.05 * n / 7.0) << "dy " << v;
  EXPECT_NEAR(flips, n / 2.0, 0.02 * n);

  const auto same = [](const AugmentDraw& a, const AugmentDraw& b) { return a.dx == b.dx && a.dy == b.dy && a.flip == b.flip; };
  EXPECT_TRUE(same(draw_augment(o, 9, 2, 123), draw_augment(o, 9, 2, 123)));
  int differ_epoch = 0, differ_seed = 0;
  for (int i = 0; i < 100; ++i) {
    differ_epoch += !same(draw_augment(o, 9, 2, i), draw_augment(o, 9, 3, i));
    differ_seed += !same(draw_augment(o, 9, 2, i), draw_augment(o, 10, 2, i));
  }
  EXPECT_GT(differ_epoch, 80);
  EXPECT_GT(differ_seed, 80);
}

TEST(Augment, NoShiftAndNoFlipMeansNoChange) {
  const AugmentOptions none{0, false};
  EXPECT_FALSE(none.enabled());
  const AugmentDraw d = draw_augment(none, 1, 1, 1);
  EXPECT_EQ(d.dx, 0);
  EXPECT_EQ(d.dy, 0);
  EXPECT_FALSE(d.flip);
  const AugmentOptions shift_only{2, false};
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(draw_augment(shift_only, 1, 1, i).flip);
}

}  // namespace
}  // namespace hierad::data
