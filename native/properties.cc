#include "properties.h"

#include <array>
#include <utility>

#include "status.h"

namespace ovcache {

namespace {

// Passes args[0..N) as N variadic `const char*` values after the fixed parameters.
template <typename Fn, typename Source, size_t... I>
ov_status_e CallExpanded(Fn fn, const ov_core_t* core, Source source, const char* device,
                         ov_compiled_model_t** compiled, const char* const* args,
                         std::index_sequence<I...>) {
  (void)args;  // unused when N == 0
  return fn(core, source, device, sizeof...(I), compiled, args[I]...);
}

template <typename Fn, typename Source, size_t N>
ov_status_e CallWithCount(Fn fn, const ov_core_t* core, Source source, const char* device,
                          ov_compiled_model_t** compiled, const char* const* args) {
  return CallExpanded(fn, core, source, device, compiled, args, std::make_index_sequence<N>{});
}

template <typename Fn, typename Source, size_t... N>
ov_status_e Dispatch(Fn fn, const ov_core_t* core, Source source, const char* device,
                     const std::vector<std::string>& props, ov_compiled_model_t** compiled,
                     std::index_sequence<N...>) {
  using Caller = ov_status_e (*)(Fn, const ov_core_t*, Source, const char*, ov_compiled_model_t**,
                                 const char* const*);
  static constexpr std::array<Caller, sizeof...(N)> kCallers = {&CallWithCount<Fn, Source, N>...};
  if (props.size() >= kCallers.size()) return INVALID_C_PARAM;  // CheckPropertyCount first
  std::vector<const char*> args;
  args.reserve(props.size());
  for (const std::string& prop : props) args.push_back(prop.c_str());
  return kCallers[props.size()](fn, core, source, device, compiled, args.data());
}

}  // namespace

void CheckStringValuedKey(const std::string& key, const char* call) {
  if (key == "CACHE_ENCRYPTION_CALLBACKS") {
    throw AddonError("OVCACHE_PROPERTY_UNSUPPORTED",
                     "CACHE_ENCRYPTION_CALLBACKS takes C function pointers, which ovcache cannot "
                     "pass to OpenVINO",
                     call);
  }
}

void CheckPropertyCount(const std::vector<std::string>& props, const char* call) {
  for (size_t i = 0; i < props.size(); i += 2) CheckStringValuedKey(props[i], call);
  if (props.size() > kMaxPropertyArgs) {
    throw AddonError("OVCACHE_INVALID_ARGUMENT",
                     "Expected at most " + std::to_string(kMaxPropertyArgs / 2) +
                         " properties for " + call + " but received " +
                         std::to_string(props.size() / 2) + " (set the others on the core first)",
                     call);
  }
}

ov_status_e CompileModelWithProperties(decltype(&ov_core_compile_model) fn, const ov_core_t* core,
                                       const ov_model_t* model, const char* device,
                                       const std::vector<std::string>& props,
                                       ov_compiled_model_t** compiled) {
  return Dispatch(fn, core, model, device, props, compiled,
                  std::make_index_sequence<kMaxPropertyArgs + 1>{});
}

ov_status_e CompileFileWithProperties(decltype(&ov_core_compile_model_from_file) fn,
                                      const ov_core_t* core, const char* path, const char* device,
                                      const std::vector<std::string>& props,
                                      ov_compiled_model_t** compiled) {
  return Dispatch(fn, core, path, device, props, compiled,
                  std::make_index_sequence<kMaxPropertyArgs + 1>{});
}

}  // namespace ovcache
