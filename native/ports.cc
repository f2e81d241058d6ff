#include "ports.h"

namespace ovcache {

std::string PortName(const Symbols& syms, const ov_output_const_port_t* port) {
  char* name = nullptr;
  // A port without a tensor name is not an error for callers (it is fed by index). The text
  // this failure leaves in the last-error store is never attached to a later error: see
  // StatusMaySetLastError and StatusError.
  if (OV_FN(syms, ov_port_get_any_name)(port, &name) != OK || name == nullptr) return std::string();
  std::string result(name);
  OV_FN(syms, ov_free)(name);
  return result;
}

Napi::Object PortToJs(Napi::Env env, const Runtime& runtime, ov_output_const_port_t* raw_port) {
  const Symbols& syms = runtime.syms;
  PortHolder port(syms, raw_port);
  Napi::Object result = Napi::Object::New(env);
  result.Set("name", PortName(syms, port.get()));

  ov_partial_shape_t shape{};
  OV_CHECK(syms, ov_port_get_partial_shape, port.get(), &shape);
  // Static rank: rank.min == rank.max >= 0; anything else is a dynamic rank (null).
  Napi::Value js_shape = env.Null();
  if (shape.rank.min == shape.rank.max && shape.rank.min >= 0 &&
      (shape.rank.min == 0 || shape.dims != nullptr)) {
    Napi::Array dims = Napi::Array::New(env, static_cast<size_t>(shape.rank.min));
    for (int64_t i = 0; i < shape.rank.min; ++i) {
      ov_dimension_t dim = shape.dims[i];
      // [0, -1] (what upstream reports for Dimension::dynamic()) is fully dynamic: [-1, -1].
      // A lower bound with no upper one ([2, -1]) keeps its lower bound.
      if (dim.max < 0 && dim.min <= 0) dim.min = dim.max = -1;
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(uint32_t{0}, static_cast<double>(dim.min));
      pair.Set(uint32_t{1}, static_cast<double>(dim.max));
      dims.Set(static_cast<uint32_t>(i), pair);
    }
    js_shape = dims;
  }
  if (syms.ov_partial_shape_free != nullptr) syms.ov_partial_shape_free(&shape);
  result.Set("shape", js_shape);

  ov_element_type_e type = 0;
  OV_CHECK(syms, ov_port_get_element_type, port.get(), &type);
  result.Set("elementType", ElementTypeName(runtime.numbering, type));
  return result;
}

}  // namespace ovcache
