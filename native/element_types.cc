#include "element_types.h"

#include <cctype>
#include <iterator>

namespace ovcache {

namespace {

// Legacy order; the modern numbering is the same list without its first entry.
constexpr const char* kLegacyNames[] = {
    "undefined", "dynamic", "boolean", "bf16", "f16",    "f32",    "f64",    "i4",     "i8",
    "i16",       "i32",     "i64",     "u1",   "u2",     "u3",     "u4",     "u6",     "u8",
    "u16",       "u32",     "u64",     "nf4",  "f8e4m3", "f8e5m2", "string", "f4e2m1", "f8e8m0",
};
constexpr int kLegacyCount = static_cast<int>(std::size(kLegacyNames));

int Offset(ElementNumbering numbering) { return numbering == ElementNumbering::kModern ? 1 : 0; }

}  // namespace

ElementNumbering NumberingForBuild(const std::string& build_number) {
  long parts[2] = {0, 0};
  size_t i = 0;
  for (int part = 0; part < 2; ++part) {
    size_t start = i;
    while (i < build_number.size() && std::isdigit(static_cast<unsigned char>(build_number[i]))) {
      if (parts[part] < 100000) parts[part] = parts[part] * 10 + (build_number[i] - '0');
      ++i;
    }
    if (i == start) return ElementNumbering::kModern;
    if (part == 0 && (i >= build_number.size() || build_number[i] != '.')) {
      return ElementNumbering::kModern;
    }
    ++i;
  }
  long year = parts[0], minor = parts[1];
  if (year < 2000) return ElementNumbering::kModern;
  return (year > 2025 || (year == 2025 && minor >= 1)) ? ElementNumbering::kModern
                                                       : ElementNumbering::kLegacy;
}

const char* NumberingName(ElementNumbering numbering) {
  return numbering == ElementNumbering::kModern ? "modern" : "legacy";
}

bool ElementTypeFromName(ElementNumbering numbering, const std::string& name, int* value) {
  for (int i = Offset(numbering); i < kLegacyCount; ++i) {
    if (name == kLegacyNames[i]) {
      *value = i - Offset(numbering);
      return true;
    }
  }
  return false;
}

const char* ElementTypeName(ElementNumbering numbering, int value) {
  int index = value + Offset(numbering);
  if (value < 0 || index >= kLegacyCount) return "undefined";
  return kLegacyNames[index];
}

}  // namespace ovcache
