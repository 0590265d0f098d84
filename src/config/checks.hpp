// Value checks for configuration keys, and the names of every config enum.
//
// A check returns an empty optional when the value is fine, else the complaint that follows the key
// path in the error message: "exp.toml:12:3: train.lr must be > 0 (got -1)".
#pragma once

#include "src/config/experiment_config.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace hierad::config {

template <class T>
using Check = std::function<std::optional<std::string>(const T&)>;

// ---- enum names: the spelling used in TOML files and printed configs -------------------------
template <class E>
struct EnumNames;  // specialised below: static constexpr std::pair<E, const char*> names[]

template <>
struct EnumNames<Coupling> {
  static constexpr std::pair<Coupling, const char*> names[] = {{Coupling::affine, "affine"},
                                                                {Coupling::additive, "additive"}};
};
template <>
struct EnumNames<Permutation> {
  static constexpr std::pair<Permutation, const char*> names[] = {{Permutation::lu, "lu"},
                                                                   {Permutation::fixed, "fixed"}};
};
template <>
struct EnumNames<Precision> {
  static constexpr std::pair<Precision, const char*> names[] = {
      {Precision::fp32, "fp32"}, {Precision::tf32, "tf32"}, {Precision::bf16, "bf16"}};
};
template <>
struct EnumNames<Backend> {
  static constexpr std::pair<Backend, const char*> names[] = {
      {Backend::automatic, "automatic"}, {Backend::mpi, "mpi"}, {Backend::nccl, "nccl"}};
};
template <>
struct EnumNames<OnBadImage> {
  static constexpr std::pair<OnBadImage, const char*> names[] = {{OnBadImage::fail, "fail"},
                                                                  {OnBadImage::skip, "skip"}};
};

template <class E>
const char* to_string(E value) {
  for (const auto& [v, name] : EnumNames<E>::names) {
    if (v == value) return name;
  }
  return "?";
}

template <class E>
std::optional<E> enum_from_string(const std::string& text) {
  for (const auto& [v, name] : EnumNames<E>::names) {
    if (text == name) return v;
  }
  return std::nullopt;
}

template <class E>
std::string enum_choices() {
  std::string out;
  for (const auto& [v, name] : EnumNames<E>::names) {
    (void)v;
    out += (out.empty() ? "" : ", ") + std::string(name);
  }
  return out;
}

// ---- checks ---------------------------------------------------------------------------------------
namespace detail {
template <class T>
std::string show(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}
}  // namespace detail

template <class T>
Check<T> anything() {
  return [](const T&) { return std::nullopt; };
}

// Enums are checked while they are parsed (an unknown name is an error); nothing more to check.
template <class E>
Check<E> any() {
  return anything<E>();
}

template <class T>
Check<T> at_least(T bound) {
  return [bound](const T& v) -> std::optional<std::string> {
    if (v >= bound) return std::nullopt;
    return "must be >= " + detail::show(bound) + " (got " + detail::show(v) + ")";
  };
}

template <class T>
Check<T> greater_than(T bound) {
  return [bound](const T& v) -> std::optional<std::string> {
    if (v > bound) return std::nullopt;
    return "must be > " + detail::show(bound) + " (got " + detail::show(v) + ")";
  };
}

inline Check<int> in_range(int lo, int hi) {
  return [lo, hi](const int& v) -> std::optional<std::string> {
    if (v >= lo && v <= hi) return std::nullopt;
    return "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] (got " +
           std::to_string(v) + ")";
  };
}

inline Check<double> in_range_real(double lo, double hi) {
  return [lo, hi](const double& v) -> std::optional<std::string> {
    if (v >= lo && v <= hi) return std::nullopt;
    return "must be in [" + detail::show(lo) + ", " + detail::show(hi) + "] (got " + detail::show(v) + ")";
  };
}

inline Check<int> one_of_ints(std::initializer_list<int> allowed) {
  std::vector<int> set(allowed);
  return [set](const int& v) -> std::optional<std::string> {
    std::string list;
    for (int a : set) {
      if (a == v) return std::nullopt;
      list += (list.empty() ? "" : " or ") + std::to_string(a);
    }
    return "must be " + list + " (got " + std::to_string(v) + ")";
  };
}

inline Check<int> power_of_two_at_least(int lo) {
  return [lo](const int& v) -> std::optional<std::string> {
    if (v >= lo && (v & (v - 1)) == 0) return std::nullopt;
    return "must be a power of two >= " + std::to_string(lo) + " (got " + std::to_string(v) + ")";
  };
}

inline Check<std::string> one_of_strings(std::initializer_list<const char*> allowed) {
  std::vector<std::string> set(allowed.begin(), allowed.end());
  return [set](const std::string& v) -> std::optional<std::string> {
    std::string list;
    for (const auto& a : set) {
      if (a == v) return std::nullopt;
      list += (list.empty() ? "" : ", ") + a;
    }
    return "must be one of " + list + " (got \"" + v + "\")";
  };
}

inline Check<std::string> non_empty() {
  return [](const std::string& v) -> std::optional<std::string> {
    if (!v.empty()) return std::nullopt;
    return std::string("must not be empty");
  };
}

inline Check<std::string> identifier() {
  return [](const std::string& v) -> std::optional<std::string> {
    bool ok = !v.empty();
    for (char ch : v) {
      const bool allowed = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                           (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
      ok = ok && allowed;
    }
    if (ok) return std::nullopt;
    return "must be a non-empty name of letters, digits, '-', '_' or '.' (got \"" + v + "\")";
  };
}

inline Check<std::string> device_name() {
  return [](const std::string& v) -> std::optional<std::string> {
    if (v == "auto" || v == "cpu" || v == "cuda") return std::nullopt;
    if (v.rfind("cuda:", 0) == 0 && v.size() > 5 &&
        v.find_first_not_of("0123456789", 5) == std::string::npos) {
      return std::nullopt;
    }
    return "must be auto, cpu, cuda or cuda:N (got \"" + v + "\")";
  };
}

}  // namespace hierad::config
