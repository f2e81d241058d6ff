// Partial shapes: parsing the IR's "1,3,?,1..10" form and printing OpenVINO's "[1,3,?,1..10]".
#include <cstdlib>

#include "stub.h"

namespace ovstub {
namespace {
std::string dim_str(const Dim& d) {
  if (d.is_static()) return std::to_string(d.min);
  if (d.min <= 0 && d.max < 0) return "?";
  return std::to_string(d.min) + ".." + (d.max < 0 ? "" : std::to_string(d.max));
}
int64_t parse_int(const std::string& s) {
  if (s.empty()) throw std::invalid_argument("empty dimension");
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0') throw std::invalid_argument("bad dimension '" + s + "'");
  return v;
}
}  // namespace

bool PShape::is_static() const {
  if (rank_dynamic) return false;
  for (const auto& d : dims)
    if (!d.is_static()) return false;
  return true;
}

std::string PShape::to_string() const {
  if (rank_dynamic) return "[...]";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + dim_str(dims[i]);
  return s + "]";
}

std::string PShape::to_ir() const {
  if (rank_dynamic) return "...";
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + dim_str(dims[i]);
  return s;
}

PShape parse_ir_shape(const std::string& text) {
  PShape p;
  std::string s;
  for (char c : text)
    if (c != ' ' && c != '[' && c != ']') s += c;
  if (s == "...") {
    p.rank_dynamic = true;
    return p;
  }
  if (s.empty()) return p;  // scalar
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Dim d;
    size_t dots = item.find("..");
    if (item == "?" || item == "-1") {
      d = Dim{0, -1};
    } else if (dots != std::string::npos) {
      std::string lo = item.substr(0, dots), hi = item.substr(dots + 2);
      d.min = lo.empty() ? 0 : parse_int(lo);
      d.max = hi.empty() ? -1 : parse_int(hi);
      if (d.min < 0 || (d.max >= 0 && d.max < d.min))
        throw std::invalid_argument("bad range " + item);
    } else {
      int64_t v = parse_int(item);
      if (v < 0) throw std::invalid_argument("bad dimension " + item);
      d = Dim::fixed(v);
    }
    p.dims.push_back(d);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return p;
}

Shape to_static(const PShape& p) {
  Shape s;
  for (const auto& d : p.dims) s.push_back(d.min);
  return s;
}

PShape from_static(const Shape& s) {
  PShape p;
  for (auto v : s) p.dims.push_back(Dim::fixed(v));
  return p;
}

size_t shape_size(const Shape& s) {
  size_t n = 1;
  for (auto v : s) n *= static_cast<size_t>(v);
  return n;
}

bool compatible(const PShape& p, const Shape& s) {
  if (p.rank_dynamic) return true;
  if (p.dims.size() != s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < p.dims[i].min) return false;
    if (p.dims[i].max >= 0 && s[i] > p.dims[i].max) return false;
  }
  return true;
}

void Hasher::bytes(const void* p, size_t n) {
  const unsigned char* b = static_cast<const unsigned char*>(p);
  auto mix = [this](uint64_t w) {
    h ^= w;
    h *= 1099511628211ULL;
    h ^= h >> 29;
  };
  size_t i = 0;
  while (i < n && nc != 0) {
    carry |= static_cast<uint64_t>(b[i++]) << (8 * nc);
    if (++nc == 8) {
      mix(carry);
      carry = 0;
      nc = 0;
    }
  }
  for (; i + 8 <= n; i += 8) {
    uint64_t w = 0;
    for (int k = 0; k < 8; ++k) w |= static_cast<uint64_t>(b[i + k]) << (8 * k);
    mix(w);
  }
  for (; i < n; ++i) {
    carry |= static_cast<uint64_t>(b[i]) << (8 * nc);
    ++nc;
  }
}

uint64_t Hasher::done() const {
  uint64_t x = h ^ carry ^ (static_cast<uint64_t>(nc) << 56);
  x *= 0x9E3779B97F4A7C15ULL;
  return x ^ (x >> 31);
}
}  // namespace ovstub
