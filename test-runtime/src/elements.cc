// Element types and their C numbering (ov_element_type_e in upstream
// src/bindings/c/include/openvino/c/ov_common.h), which depends on the release the stand-in
// reports. Values as bindgen read the upstream header in intel/openvino-rs
// crates/openvino-sys/src/generated/types.rs:
//  - before 2024.2 (cfec608, 2024.0.0): UNDEFINED=0, DYNAMIC=1, BOOLEAN, BF16, F16, F32=5, F64,
//    I4, I8, I16, I32=10, I64=11, U1=12, U4=13, U8=14, U16, U32, U64, NF4=18, F8E4M3, F8E5M2=20
//  - 2024.2 .. 2025.0 (100eabc, 2024.4.0; U2, U3, U6 inserted in 2024.2, openvino-rs #143/#149):
//    UNDEFINED=0, DYNAMIC=1, ... F32=5, I32=10, I64=11, U1=12, U2=13, U3=14, U4=15, U6=16, U8=17,
//    ... F8E8M0=26
//  - 2025.1 and later (e7f5cdc, 2025.1.0, upstream PR #28766 made UNDEFINED an alias of DYNAMIC;
//    f1b9361, 2026.1.2, the same after #32573 removed the name): everything one lower, DYNAMIC=0,
//    F32=4, I64=10, U8=16. 2025.0 is taken as legacy (see native/element_types.h for why).
#include <cmath>
#include <cstring>
#include <limits>

#include "stub.h"

namespace ovstub {
namespace {
struct ElemInfo {
  Elem e;
  const char* ir;
  size_t bits;
};
const ElemInfo kElems[] = {
    {Elem::dynamic, "dynamic", 0}, {Elem::boolean, "boolean", 8}, {Elem::bf16, "bf16", 16},
    {Elem::f16, "f16", 16},        {Elem::f32, "f32", 32},        {Elem::f64, "f64", 64},
    {Elem::i4, "i4", 4},           {Elem::i8, "i8", 8},           {Elem::i16, "i16", 16},
    {Elem::i32, "i32", 32},        {Elem::i64, "i64", 64},        {Elem::u1, "u1", 1},
    {Elem::u2, "u2", 2},           {Elem::u3, "u3", 3},           {Elem::u4, "u4", 4},
    {Elem::u6, "u6", 6},           {Elem::u8, "u8", 8},           {Elem::u16, "u16", 16},
    {Elem::u32, "u32", 32},        {Elem::u64, "u64", 64},        {Elem::nf4, "nf4", 4},
    {Elem::f8e4m3, "f8e4m3", 8},   {Elem::f8e5m2, "f8e5m2", 8},   {Elem::string, "string", 0},
    {Elem::f4e2m1, "f4e2m1", 4},   {Elem::f8e8m0, "f8e8m0", 8},
};
// Pre-2024.2 order (no U2/U3/U6; the 2024.0.0 header ends at F8E5M2), without UNDEFINED.
const Elem kPre2024_2[] = {Elem::dynamic, Elem::boolean, Elem::bf16, Elem::f16,    Elem::f32,
                           Elem::f64,     Elem::i4,      Elem::i8,   Elem::i16,    Elem::i32,
                           Elem::i64,     Elem::u1,      Elem::u4,   Elem::u8,     Elem::u16,
                           Elem::u32,     Elem::u64,     Elem::nf4,  Elem::f8e4m3, Elem::f8e5m2};
enum class Numbering { pre2024_2, legacy, v2025_1 };
Numbering numbering() {
  int ma = version_major(), mi = version_minor();
  if (ma > 2025 || (ma == 2025 && mi >= 1)) return Numbering::v2025_1;
  if (ma < 2024 || (ma == 2024 && mi < 2)) return Numbering::pre2024_2;
  return Numbering::legacy;
}
}  // namespace

Elem elem_from_ir(const std::string& s) {
  for (const auto& i : kElems)
    if (s == i.ir) return i.e;
  if (s == "FP32") return Elem::f32;
  if (s == "FP16") return Elem::f16;
  if (s == "I64") return Elem::i64;
  if (s == "I32") return Elem::i32;
  if (s == "U8") return Elem::u8;
  if (s == "BOOL") return Elem::boolean;
  return Elem::undefined;
}
const char* elem_ir_name(Elem e) {
  for (const auto& i : kElems)
    if (i.e == e) return i.ir;
  return "undefined";
}
size_t elem_bits(Elem e) {
  for (const auto& i : kElems)
    if (i.e == e) return i.bits;
  return 0;
}
int elem_to_c(Elem e) {
  switch (numbering()) {
    case Numbering::v2025_1:
      return e == Elem::undefined ? 0 : static_cast<int>(e);
    case Numbering::legacy:
      return static_cast<int>(e) + 1;
    case Numbering::pre2024_2:
      for (size_t i = 0; i < sizeof(kPre2024_2) / sizeof(kPre2024_2[0]); ++i)
        if (kPre2024_2[i] == e) return static_cast<int>(i) + 1;
      return 0;
  }
  return 0;
}
Elem elem_from_c(int v) {
  switch (numbering()) {
    case Numbering::v2025_1:
      if (v >= 0 && v < static_cast<int>(Elem::count_)) return static_cast<Elem>(v);
      return Elem::undefined;
    case Numbering::legacy:
      if (v >= 1 && v <= static_cast<int>(Elem::count_)) return static_cast<Elem>(v - 1);
      return Elem::undefined;
    case Numbering::pre2024_2:
      if (v >= 1 && v <= static_cast<int>(sizeof(kPre2024_2) / sizeof(kPre2024_2[0])))
        return kPre2024_2[v - 1];
      return Elem::undefined;
  }
  return Elem::undefined;
}
}  // namespace ovstub

// ---- values -----------------------------------------------------------------------------------
namespace ovstub {
namespace {
float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      exp = 127 - 15 + 1;
      while ((man & 0x400u) == 0) {
        man <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((man & 0x3ffu) << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t float_to_half(float f) {  // round to nearest even
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t man = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (man ? 0x200u : 0));
  if (exp >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10) return static_cast<uint16_t>(sign);
    man |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = man >> shift, rest = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (man >> 13);
  uint32_t rest = man & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<uint16_t>(half);
}

template <typename T>
T saturate(double v) {  // float -> integer: truncation toward zero (Convert-1), clamped
  if (std::isnan(v)) return 0;
  double t = std::trunc(v);
  if (t <= static_cast<double>(std::numeric_limits<T>::lowest()))
    return std::numeric_limits<T>::lowest();
  if (t >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(t);
}
}  // namespace

bool elem_numeric(Elem e) {
  switch (e) {
    case Elem::boolean:
    case Elem::f16:
    case Elem::f32:
    case Elem::f64:
    case Elem::i8:
    case Elem::i16:
    case Elem::i32:
    case Elem::i64:
    case Elem::u8:
    case Elem::u16:
    case Elem::u32:
    case Elem::u64:
      return true;
    default:
      return false;
  }
}

double elem_load(Elem e, const void* data, size_t i) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  auto get = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p + i * sizeof v, sizeof v);
    return static_cast<double>(v);
  };
  switch (e) {
    case Elem::boolean:
      return p[i] != 0 ? 1.0 : 0.0;
    case Elem::f16: {
      uint16_t h;
      std::memcpy(&h, p + i * 2, 2);
      return half_to_float(h);
    }
    case Elem::f32:
      return get(float{});
    case Elem::f64:
      return get(double{});
    case Elem::i8:
      return get(int8_t{});
    case Elem::i16:
      return get(int16_t{});
    case Elem::i32:
      return get(int32_t{});
    case Elem::i64:
      return get(int64_t{});
    case Elem::u8:
      return get(uint8_t{});
    case Elem::u16:
      return get(uint16_t{});
    case Elem::u32:
      return get(uint32_t{});
    case Elem::u64:
      return get(uint64_t{});
    default:
      return 0;
  }
}

double elem_round(Elem e, double v) {
  switch (e) {
    case Elem::boolean:
      return v != 0 ? 1 : 0;
    case Elem::f16:
      return half_to_float(float_to_half(static_cast<float>(v)));
    case Elem::f32:
      return static_cast<float>(v);
    case Elem::f64:
      return v;
    case Elem::i8:
      return saturate<int8_t>(v);
    case Elem::i16:
      return saturate<int16_t>(v);
    case Elem::i32:
      return saturate<int32_t>(v);
    case Elem::i64:
      return static_cast<double>(saturate<int64_t>(v));
    case Elem::u8:
      return saturate<uint8_t>(v);
    case Elem::u16:
      return saturate<uint16_t>(v);
    case Elem::u32:
      return saturate<uint32_t>(v);
    case Elem::u64:
      return static_cast<double>(saturate<uint64_t>(v));
    default:
      return v;
  }
}

void elem_store(Elem e, void* data, size_t i, double v) {
  unsigned char* p = static_cast<unsigned char*>(data);
  auto put = [&](auto value) { std::memcpy(p + i * sizeof value, &value, sizeof value); };
  switch (e) {
    case Elem::boolean:
      p[i] = v != 0 ? 1 : 0;
      break;
    case Elem::f16:
      put(float_to_half(static_cast<float>(v)));
      break;
    case Elem::f32:
      put(static_cast<float>(v));
      break;
    case Elem::f64:
      put(v);
      break;
    case Elem::i8:
      put(saturate<int8_t>(v));
      break;
    case Elem::i16:
      put(saturate<int16_t>(v));
      break;
    case Elem::i32:
      put(saturate<int32_t>(v));
      break;
    case Elem::i64:
      put(saturate<int64_t>(v));
      break;
    case Elem::u8:
      put(saturate<uint8_t>(v));
      break;
    case Elem::u16:
      put(saturate<uint16_t>(v));
      break;
    case Elem::u32:
      put(saturate<uint32_t>(v));
      break;
    case Elem::u64:
      put(saturate<uint64_t>(v));
      break;
    default:
      break;
  }
}
}  // namespace ovstub
