// Element types and their C numbering, which depends on the release the stand-in reports.
//  - before 2024.2: UNDEFINED, DYNAMIC, BOOLEAN, BF16, F16, F32, F64, I4, I8, I16, I32, I64,
//    U1, U4, U8, U16, U32, U64, NF4, F8E4M3, F8E5M2, STRING, F4E2M1, F8E8M0
//  - 2024.2 .. 2025.x (PR #24608 added U2, U3, U6): UNDEFINED=0, DYNAMIC=1, ... F32=5, I32=10,
//    I64=11, U1=12, U2=13, U3=14, U4=15, U6=16, U8=17, ... F8E8M0=26
//  - 2026.0 and later (PR #32573 removed UNDEFINED): everything one lower, DYNAMIC=0, F32=4.
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
// Pre-2024.2 order (no U2/U3/U6), without the leading UNDEFINED.
const Elem kPre2024_2[] = {Elem::dynamic, Elem::boolean, Elem::bf16,  Elem::f16,    Elem::f32,
                           Elem::f64,     Elem::i4,      Elem::i8,    Elem::i16,    Elem::i32,
                           Elem::i64,     Elem::u1,      Elem::u4,    Elem::u8,     Elem::u16,
                           Elem::u32,     Elem::u64,     Elem::nf4,   Elem::f8e4m3, Elem::f8e5m2,
                           Elem::string,  Elem::f4e2m1,  Elem::f8e8m0};
enum class Numbering { pre2024_2, legacy, v2026 };
Numbering numbering() {
  int ma = version_major(), mi = version_minor();
  if (ma >= 2026) return Numbering::v2026;
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
    case Numbering::v2026:
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
    case Numbering::v2026:
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
