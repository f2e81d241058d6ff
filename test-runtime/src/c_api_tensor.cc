// ov_tensor_* (src/bindings/c/src/ov_tensor.cpp) and the stand-in's tensor storage.
#include <cstring>

#include "stub.h"

using namespace ovstub;

size_t StubTensor::byte_size() const { return (shape_size(shape) * elem_bits(elem) + 7) / 8; }

void StubTensor::set_shape(const Shape& s) {
  size_t bytes = (shape_size(s) * elem_bits(elem) + 7) / 8;
  if (host) {
    if (bytes > capacity)
      throw OvError("src/inference/src/dev/make_tensor.cpp",
                    "Could set new shape: " + from_static(s).to_string() +
                        " (the tensor wraps a smaller host buffer)");
  } else if (bytes > own.size()) {
    own.resize(bytes);
  }
  shape = s;
}

std::shared_ptr<StubTensor> make_tensor(Elem e, const Shape& s) {
  auto t = std::make_shared<StubTensor>();
  t->elem = e;
  t->shape = s;
  t->own.resize(t->byte_size());
  return t;
}

extern "C" {

ov_status_e ov_tensor_create(const ov_element_type_e type, const ov_shape_t shape,
                             ov_tensor_t** tensor) {
  if (!tensor || shape.rank < 0 || (shape.rank > 0 && !shape.dims)) return INVALID_C_PARAM;
  return guarded([&] {
    Elem e = elem_from_c(type);
    if (e == Elem::undefined) throw CParamError{};  // not in element_type_map (ov_tensor.cpp)
    if (e == Elem::dynamic || e == Elem::string)
      throw OvError("src/bindings/c/src/ov_tensor.cpp",
                    "Unsupported element type " + std::to_string(type) + " for a tensor");
    Shape s(shape.dims, shape.dims + shape.rank);
    for (auto d : s) need(d >= 0);
    *tensor = new ov_tensor{make_tensor(e, s)};
  });
}

ov_status_e ov_tensor_create_from_host_ptr(const ov_element_type_e type, const ov_shape_t shape,
                                           void* host_ptr, ov_tensor_t** tensor) {
  if (!tensor || !host_ptr || shape.rank < 0 || (shape.rank > 0 && !shape.dims))
    return INVALID_C_PARAM;
  return guarded([&] {
    Elem e = elem_from_c(type);
    if (e == Elem::undefined) throw CParamError{};  // not in element_type_map (ov_tensor.cpp)
    if (e == Elem::dynamic || e == Elem::string)
      throw OvError("src/bindings/c/src/ov_tensor.cpp",
                    "Unsupported element type " + std::to_string(type) + " for a tensor");
    auto t = std::make_shared<StubTensor>();
    t->elem = e;
    t->shape = Shape(shape.dims, shape.dims + shape.rank);
    for (auto d : t->shape) need(d >= 0);
    t->host = host_ptr;
    t->capacity = t->byte_size();
    *tensor = new ov_tensor{t};
  });
}

ov_status_e ov_tensor_set_shape(ov_tensor_t* tensor, const ov_shape_t shape) {
  if (!tensor || shape.rank < 0 || (shape.rank > 0 && !shape.dims)) return INVALID_C_PARAM;
  return guarded([&] { tensor->obj->set_shape(Shape(shape.dims, shape.dims + shape.rank)); });
}

ov_status_e ov_tensor_get_shape(const ov_tensor_t* tensor, ov_shape_t* shape) {
  if (!tensor || !shape) return INVALID_C_PARAM;
  const Shape& s = tensor->obj->shape;
  // ov_tensor.cpp: ov_shape_create refuses rank 0 (status ignored), so a scalar's shape is left
  // as the caller initialised it.
  if (s.empty()) return OK;
  shape->rank = static_cast<int64_t>(s.size());
  shape->dims = new int64_t[s.size()];
  for (size_t i = 0; i < s.size(); ++i) shape->dims[i] = s[i];
  return OK;
}

ov_status_e ov_tensor_get_element_type(const ov_tensor_t* tensor, ov_element_type_e* type) {
  if (!tensor || !type) return INVALID_C_PARAM;
  *type = elem_to_c(tensor->obj->elem);
  return OK;
}

ov_status_e ov_tensor_get_size(const ov_tensor_t* tensor, size_t* elements_size) {
  if (!tensor || !elements_size) return INVALID_C_PARAM;
  *elements_size = shape_size(tensor->obj->shape);
  return OK;
}

ov_status_e ov_tensor_get_byte_size(const ov_tensor_t* tensor, size_t* byte_size) {
  if (!tensor || !byte_size) return INVALID_C_PARAM;
  *byte_size = tensor->obj->byte_size();
  return OK;
}

ov_status_e ov_tensor_data(const ov_tensor_t* tensor, void** data) {
  if (!tensor || !data) return INVALID_C_PARAM;
  *data = tensor->obj->data();
  return OK;
}

void ov_tensor_free(ov_tensor_t* tensor) { delete tensor; }
}
