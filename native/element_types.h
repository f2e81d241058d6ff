// ov_element_type_e <-> the addon's names. The enum was renumbered in 2025.1.0, so the mapping
// is chosen from the loaded runtime's version, never at compile time.
//
// Evidence (upstream header src/bindings/c/include/openvino/c/ov_common.h as bindgen read it in
// intel/openvino-rs crates/openvino-sys/src/generated/types.rs):
//  - 100eabc "Update bindings to v2024.4.0" (upstream c3152d3): UNDEFINED=0, DYNAMIC=1, BOOLEAN=2,
//    BF16=3, F16=4, F32=5, F64=6, I4=7, I8=8, I16=9, I32=10, I64=11, U1=12, U2=13, U3=14, U4=15,
//    U6=16, U8=17, U16=18, U32=19, U64=20, NF4=21, F8E4M3=22, F8E5M2=23, STRING=24, F4E2M1=25,
//    F8E8M0=26. The openvino-rs CI ran these tables against 2024.2.0, 2024.3.0 (2af130a) and
//    2024.5.0, 2024.6.0 (1b259b0) runtimes.
//  - e7f5cdc "Upgrade bindings to v2025.1.0" (upstream 6fec065): UNDEFINED=0 with DYNAMIC an alias
//    of it, BOOLEAN=1, ... F32=4, I32=9, I64=10, U8=16, ... F8E8M0=25 ("a breaking API change
//    across minor versions of upstream OpenVINO (v2025.0 to v2025.1)"; upstream PR #28766).
//  - f1b9361 "Regenerate bindings for OpenVINO 2026.1.2": the same values, UNDEFINED gone (#32573).
// 2025.0 itself: no header of that tag could be read here. It is taken as legacy because #28766
// was opened on 2025-01-31, after the 2025.0 branch, and both openvino-rs (e7f5cdc) and
// openvino_contrib#963 ("ElementType compatibility problem introduced in 2025.1") say so.
#pragma once

#include <string>

namespace ovcache {

enum class ElementNumbering {
  kLegacy,  // 2024.2 .. 2025.0: UNDEFINED=0, DYNAMIC=1, ..., F32=5, I32=10, I64=11, U8=17
  kModern,  // 2025.1 and later: DYNAMIC=0, ..., F32=4, I32=9, I64=10, U8=16
};

// From ov_version_t.buildNumber ("2025.4.1-20426-..."): legacy below 2025.1. A build number
// without a leading year.minor (a developer build) is taken as modern.
ElementNumbering NumberingForBuild(const std::string& build_number);

const char* NumberingName(ElementNumbering numbering);  // "legacy" | "modern"

// False when `name` is not an element type this numbering has.
bool ElementTypeFromName(ElementNumbering numbering, const std::string& name, int* value);

// The name of `value`; "undefined" for a value outside the table.
const char* ElementTypeName(ElementNumbering numbering, int value);

}  // namespace ovcache
