#include "storage/score_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>

#include "storage/h5_io.hpp"

namespace hierad::storage {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw std::runtime_error("score file " + path.string() + ": " + problem);
}

template <class T>
std::vector<T> read_column(hid_t group, const std::string& name, const std::vector<std::int64_t>& shape,
                           const std::filesystem::path& path, const std::string& set) {
  const Array a = read_array(group, name);
  if (a.dtype != dtype_of<T>())
    fail(path, "set '" + set + "' dataset " + name + " is " + dtype_name(a.dtype) + ", expected " +
                   dtype_name(dtype_of<T>()));
  if (a.shape != shape) {
    std::string got, want;
    for (auto d : a.shape) got += (got.empty() ? "" : ", ") + std::to_string(d);
    for (auto d : shape) want += (want.empty() ? "" : ", ") + std::to_string(d);
    fail(path, "set '" + set + "' dataset " + name + " has shape [" + got + "], expected [" + want + "]");
  }
  return a.to_vector<T>();
}

bool same_bits(double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; }

std::string exact(double x) {  // round-trippable text, so two near-equal values print differently
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace

std::vector<double> ScoreSet::scale_column(const std::vector<double>& matrix, std::int64_t k) const {
  if (k < 0 || k >= n_scales)
    throw std::out_of_range("scale " + std::to_string(k) + " outside [0, " + std::to_string(n_scales) + ")");
  std::vector<double> out(static_cast<std::size_t>(size()));
  for (std::int64_t i = 0; i < size(); ++i) out[static_cast<std::size_t>(i)] = matrix[static_cast<std::size_t>(i * n_scales + k)];
  return out;
}

const ScoreSet& ScoreFile::set(const std::string& name) const {
  for (const ScoreSet& s : sets)
    if (s.info.name == name) return s;
  fail(path, "has no set '" + name + "'");
}

ScoreFile read_score_file(const std::filesystem::path& path) {
  H5Id file = open_file(path, FileMode::ReadOnly);
  const hid_t root = file.get();
  if (!has_attr(root, "format") || read_attr_string(root, "format") != "hierad-scores")
    fail(path, "not a hierad score file (no format=\"hierad-scores\" attribute)");
  if (const auto v = read_attr_int(root, "format_version"); v != 1)
    fail(path, "unsupported format version " + std::to_string(v));
  ScoreFile out;
  out.path = path;
  out.info.n_scales = read_attr_int(root, "n_scales");
  out.info.versions = read_attr_string(root, "versions");
  out.info.checkpoint.run_id = read_attr_string(root, "checkpoint_run_id");
  out.info.checkpoint.step = read_attr_int(root, "checkpoint_step");
  out.info.checkpoint.checksum = static_cast<std::uint32_t>(read_attr_int(root, "checkpoint_checksum"));
  out.info.checkpoint.path = read_attr_string(root, "checkpoint_path");
  out.writer_ranks = read_attr_int(root, "writer_ranks");
  out.hdf5_version = read_attr_string(root, "hdf5_version");
  const std::int64_t L = out.info.n_scales;
  if (L < 1) fail(path, "n_scales is " + std::to_string(L));

  for (const std::string& name : list_groups(root)) {
    H5Id g = open_group(root, name);
    ScoreSet s;
    s.n_scales = L;
    s.info.name = read_attr_string(g.get(), "name");
    s.info.path = read_attr_string(g.get(), "path");
    s.info.count = read_attr_int(g.get(), "count");
    s.info.fingerprint = read_attr_string(g.get(), "fingerprint");
    const std::int64_t N = s.info.count;
    s.index = read_column<std::int64_t>(g.get(), "index", {N}, path, name);
    s.log_p = read_column<double>(g.get(), "log_p", {N}, path, name);
    s.bpd = read_column<double>(g.get(), "bpd", {N}, path, name);
    s.F = read_column<double>(g.get(), "F", {N, L}, path, name);
    s.A = read_column<double>(g.get(), "A", {N, L}, path, name);
    s.G = read_column<double>(g.get(), "G", {N, L}, path, name);
    s.lp = read_column<double>(g.get(), "lp", {N, L}, path, name);
    // The writer stores each example once; a repeated index would silently pair the wrong rows
    // when files are compared or joined (fuzz finding, tests/fuzz/regressions/score_file).
    std::vector<std::int64_t> sorted = s.index;
    std::sort(sorted.begin(), sorted.end());
    if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end())
      fail(path, "set " + name + ": example index " + std::to_string(*dup) + " appears more than once");
    out.sets.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> compare_score_files(const ScoreFile& a, const ScoreFile& b, std::size_t max_reports,
                                             bool same_checkpoint_file) {
  std::vector<std::string> diffs;
  auto report = [&](const std::string& line) {
    if (diffs.size() < max_reports) diffs.push_back(line);
  };
  const auto& ca = a.info.checkpoint;
  const auto& cb = b.info.checkpoint;
  if (a.info.n_scales != b.info.n_scales) report("n_scales differ");
  if (a.info.versions != b.info.versions) report("versions differ");
  if (ca.run_id != cb.run_id || ca.step != cb.step) report("checkpoint run id or step differ");
  if (same_checkpoint_file && (ca.checksum != cb.checksum || ca.path != cb.path)) {
    report("checkpoint path or checksum differ");
  }
  std::map<std::string, const ScoreSet*> sets_b;
  for (const ScoreSet& s : b.sets) sets_b[s.info.name] = &s;
  if (a.sets.size() != b.sets.size()) report("set counts differ: " + std::to_string(a.sets.size()) + " vs " +
                                             std::to_string(b.sets.size()));
  for (const ScoreSet& sa : a.sets) {
    const auto it = sets_b.find(sa.info.name);
    if (it == sets_b.end()) {
      report("set '" + sa.info.name + "' only in " + a.path.string());
      continue;
    }
    const ScoreSet& sb = *it->second;
    const std::string set = "set '" + sa.info.name + "'";
    if (sa.info.path != sb.info.path || sa.info.count != sb.info.count || sa.info.fingerprint != sb.info.fingerprint) {
      report(set + ": attributes differ");
      continue;
    }
    std::map<std::int64_t, std::int64_t> row_a, row_b;
    for (std::int64_t i = 0; i < sa.size(); ++i) row_a[sa.index[static_cast<std::size_t>(i)]] = i;
    if (static_cast<std::int64_t>(row_a.size()) != sa.size()) report(set + ": repeated example indices in " + a.path.string());
    for (std::int64_t i = 0; i < sb.size(); ++i) row_b[sb.index[static_cast<std::size_t>(i)]] = i;
    if (static_cast<std::int64_t>(row_b.size()) != sb.size()) report(set + ": repeated example indices in " + b.path.string());
    const std::int64_t L = sa.n_scales;
    for (std::int64_t i = 0; i < sa.size(); ++i) {
      const std::int64_t example = sa.index[static_cast<std::size_t>(i)];
      const auto r = row_b.find(example);
      if (r == row_b.end()) {
        report(set + ": example " + std::to_string(example) + " only in " + a.path.string());
        continue;
      }
      const auto ia = static_cast<std::size_t>(i), ib = static_cast<std::size_t>(r->second);
      auto value = [&](const char* what, double x, double y) {
        if (!same_bits(x, y))
          report(set + " example " + std::to_string(example) + " " + what + ": " + exact(x) + " vs " + exact(y));
      };
      value("log_p", sa.log_p[ia], sb.log_p[ib]);
      value("bpd", sa.bpd[ia], sb.bpd[ib]);
      for (std::int64_t k = 0; k < L; ++k) {
        const auto ka = ia * static_cast<std::size_t>(L) + static_cast<std::size_t>(k);
        const auto kb = ib * static_cast<std::size_t>(L) + static_cast<std::size_t>(k);
        const std::string s = "[" + std::to_string(k) + "]";
        value(("F" + s).c_str(), sa.F[ka], sb.F[kb]);
        value(("A" + s).c_str(), sa.A[ka], sb.A[kb]);
        value(("G" + s).c_str(), sa.G[ka], sb.G[kb]);
        value(("lp" + s).c_str(), sa.lp[ka], sb.lp[kb]);
      }
    }
  }
  return diffs;
}

}  // namespace hierad::storage
