// Augmentation: shift with zero fill and horizontal flip against a brute-force definition, and
// the statistics and determinism of the per-image draws.
#include "src/data/augment.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>
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

// Pearson's chi-square of observed counts against probabilities.
double chi_square(const std::map<int, int>& counts, const std::map<int, double>& p, int n) {
  double x2 = 0;
  for (const auto& [v, pv] : p) {
    const auto it = counts.find(v);
    const double observed = it == counts.end() ? 0 : it->second;
    x2 += (observed - n * pv) * (observed - n * pv) / (n * pv);
  }
  return x2;
}

TEST(Augment, ShiftIsTheAuthorsRoundedUniformAndKeyedOnSeedEpochIndex) {
  // torchvision RandomAffine(0, translate=(0.1, 0.1)) on 32 px: per axis round(U(-3.2, 3.2)).
  const AugmentOptions o{3.2, true};
  const std::map<int, double> authors{{-3, 0.7 / 6.4}, {-2, 1 / 6.4}, {-1, 1 / 6.4}, {0, 1 / 6.4},
                                      {1, 1 / 6.4},    {2, 1 / 6.4},  {3, 0.7 / 6.4}};
  std::map<int, double> uniform7;
  for (int v = -3; v <= 3; ++v) uniform7[v] = 1 / 7.0;
  std::map<int, int> dx_count, dy_count, joint;
  int flips = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const AugmentDraw d = draw_augment(o, 9, 2, i);
    ++dx_count[d.dx];
    ++dy_count[d.dy];
    ++joint[(d.dx + 3) * 7 + (d.dy + 3)];
    flips += d.flip;
  }
  ASSERT_EQ(dx_count.size(), 7u);
  ASSERT_EQ(dy_count.size(), 7u);
  EXPECT_EQ(dx_count.begin()->first, -3);
  EXPECT_EQ(dx_count.rbegin()->first, 3);
  // 6 degrees of freedom: P(chi2 > 22.46) = 0.001. The former uniform draw over -3..3 is far off.
  const double x2_dx = chi_square(dx_count, authors, n), x2_dy = chi_square(dy_count, authors, n);
  std::printf("chi-square (6 dof) against round(U(-3.2, 3.2)): dx %.2f, dy %.2f; against uniform -3..3: %.0f\n",
              x2_dx, x2_dy, chi_square(dx_count, uniform7, n));
  EXPECT_LT(x2_dx, 22.46);
  EXPECT_LT(x2_dy, 22.46);
  EXPECT_GT(chi_square(dx_count, uniform7, n), 1000);
  // dx and dy independent: 48 degrees of freedom, P(chi2 > 84.04) = 0.001.
  std::map<int, double> product;
  for (const auto& [x, px] : authors)
    for (const auto& [y, py] : authors) product[(x + 3) * 7 + (y + 3)] = px * py;
  EXPECT_LT(chi_square(joint, product, n), 84.04);
  EXPECT_NEAR(flips, n / 2.0, 0.02 * n);
  // Another a: round(U(-2, 2)) gives P(0) = P(+-1) = 1/4, P(+-2) = 1/8.
  std::map<int, int> two;
  for (int i = 0; i < n; ++i) ++two[draw_augment({2, false}, 1, 0, i).dx];
  EXPECT_LT(chi_square(two, {{-2, 0.125}, {-1, 0.25}, {0, 0.25}, {1, 0.25}, {2, 0.125}}, n), 18.47);  // 4 dof

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
