// ov_element_type_e <-> the addon's names. The enum's numbering changed in 2026.0 (UNDEFINED
// removed), so the mapping is chosen from the loaded runtime's version, never at compile time.
#pragma once

#include <string>

namespace ovcache {

enum class ElementNumbering {
  kLegacy,  // runtimes < 2026.0: UNDEFINED=0, DYNAMIC=1, ..., F32=5, I32=10, I64=11, U8=17
  kModern,  // runtimes >= 2026.0: DYNAMIC=0, ..., F32=4, I32=9, I64=10, U8=16
};

// From ov_version_t.buildNumber ("2025.4.1-20426-..."): legacy below major 2026. A build
// number without a leading year (a developer build) is taken as modern.
ElementNumbering NumberingForBuild(const std::string& build_number);

const char* NumberingName(ElementNumbering numbering);  // "legacy" | "modern"

// False when `name` is not an element type this numbering has.
bool ElementTypeFromName(ElementNumbering numbering, const std::string& name, int* value);

// The name of `value`; "undefined" for a value outside the table.
const char* ElementTypeName(ElementNumbering numbering, int value);

}  // namespace ovcache
