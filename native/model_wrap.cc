#include "model_wrap.h"

#include <limits>
#include <string>
#include <vector>

#include "ports.h"

namespace ovcache {

Napi::Function ModelWrap::Init(Napi::Env env) {
  std::vector<Napi::ClassPropertyDescriptor<ModelWrap>> members = {
      InstanceMethod<&ModelWrap::Inputs>("inputs"),
      InstanceMethod<&ModelWrap::Outputs>("outputs"),
      InstanceMethod<&ModelWrap::Reshape>("reshape"),
      InstanceMethod<&ModelWrap::FriendlyName>("friendlyName"),
      InstanceMethod<&ModelWrap::IsDynamic>("isDynamic"),
  };
  AddCommonMembers(&members);
  return DefineClass(env, "Model", members);
}

Napi::Object ModelWrap::Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                               ov_model_t* model, Napi::Object core_object) {
  AddonData* data = GetAddonData(env);
  Napi::Object object;
  ModelWrap* wrap = nullptr;
  try {
    wrap = NewEmpty(env, data->model_ctor, &object);
  } catch (...) {
    FreeRaw(runtime->syms, model);
    throw;
  }
  wrap->Adopt(data, runtime, model, core_object);
  return object;
}

Napi::Value ModelWrap::Inputs(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_model_t* model = handle();
    size_t count = 0;
    OV_CHECK(syms(), ov_model_inputs_size, model, &count);
    Napi::Array result = Napi::Array::New(info.Env(), count);
    for (size_t i = 0; i < count; ++i) {
      ov_output_const_port_t* port = nullptr;
      OV_CHECK(syms(), ov_model_const_input_by_index, model, i, &port);
      result.Set(static_cast<uint32_t>(i), PortToJs(info.Env(), *runtime(), port));
    }
    return result;
  });
}

Napi::Value ModelWrap::Outputs(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_model_t* model = handle();
    size_t count = 0;
    OV_CHECK(syms(), ov_model_outputs_size, model, &count);
    Napi::Array result = Napi::Array::New(info.Env(), count);
    for (size_t i = 0; i < count; ++i) {
      ov_output_const_port_t* port = nullptr;
      OV_CHECK(syms(), ov_model_const_output_by_index, model, i, &port);
      result.Set(static_cast<uint32_t>(i), PortToJs(info.Env(), *runtime(), port));
    }
    return result;
  });
}

namespace {

// Owns partial shapes made by ov_partial_shape_create.
class PartialShapes {
 public:
  explicit PartialShapes(const Symbols& syms) : syms_(syms) {}
  ~PartialShapes() {
    for (ov_partial_shape_t& shape : shapes_) {
      if (syms_.ov_partial_shape_free != nullptr) syms_.ov_partial_shape_free(&shape);
    }
  }
  std::vector<ov_partial_shape_t>& shapes() { return shapes_; }

 private:
  const Symbols& syms_;
  std::vector<ov_partial_shape_t> shapes_;
};

// The TypeScript layer's [min, max] (max -1: no upper bound; [-1, -1]: fully dynamic) in the
// form ov_partial_shape_create accepts (check_dimension in src/bindings/c/src/ov_partial_shape.cpp:
// no bound below -1, max >= min) and ov_model_reshape turns into the intended ov::Dimension
// (Dimension(min, max) maps -1 to "no bound", src/core/src/dimension.cpp): a lower bound without
// an upper one is {min, INT64_MAX} (Interval::s_max), since {min, -1} fails max >= min.
ov_dimension_t ToCDimension(int64_t min, int64_t max) {
  if (max == -1 && min <= 0) return ov_dimension_t{-1, -1};
  if (max == -1) return ov_dimension_t{min, std::numeric_limits<int64_t>::max()};
  return ov_dimension_t{min, max};
}

}  // namespace

Napi::Value ModelWrap::Reshape(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_model_t* model = handle();
    if (busy()) {
      throw AddonError("OVCACHE_BUSY",
                       "Model is being compiled: await compileModel() before reshape()",
                       "ov_model_reshape");
    }
    Napi::Array names = info[0].As<Napi::Array>();
    Napi::Array shapes = info[1].As<Napi::Array>();
    if (names.Length() != shapes.Length()) {
      throw AddonError("OVCACHE_INVALID_ARGUMENT",
                       "Expected as many shapes as names for reshape but received " +
                           std::to_string(shapes.Length()) + " shapes for " +
                           std::to_string(names.Length()) + " names",
                       "ov_model_reshape");
    }
    std::vector<std::string> name_storage;
    PartialShapes partial(syms());
    for (uint32_t i = 0; i < names.Length(); ++i) {
      name_storage.push_back(names.Get(i).As<Napi::String>().Utf8Value());
      Napi::Array dims = shapes.Get(i).As<Napi::Array>();
      std::vector<ov_dimension_t> dimensions;
      for (uint32_t d = 0; d < dims.Length(); ++d) {
        Napi::Array pair = dims.Get(d).As<Napi::Array>();
        dimensions.push_back(ToCDimension(pair.Get(uint32_t{0}).As<Napi::Number>().Int64Value(),
                                          pair.Get(uint32_t{1}).As<Napi::Number>().Int64Value()));
      }
      // ov_partial_shape_create refuses rank <= 0, and ov_model_reshape would turn a rank-0 or
      // dynamic-rank shape into [?]: the TypeScript layer refuses both before getting here.
      if (dimensions.empty()) {
        throw AddonError(
            "OVCACHE_SHAPE_UNSUPPORTED",
            "OpenVINO's C API cannot reshape input '" + name_storage.back() + "' to a scalar",
            "ov_partial_shape_create");
      }
      ov_partial_shape_t shape{};
      OV_CHECK(syms(), ov_partial_shape_create, static_cast<int64_t>(dimensions.size()),
               dimensions.data(), &shape);
      partial.shapes().push_back(shape);
    }
    std::vector<const char*> name_pointers;
    for (const std::string& name : name_storage) name_pointers.push_back(name.c_str());
    OV_CHECK(syms(), ov_model_reshape, model, name_pointers.data(), partial.shapes().data(),
             name_pointers.size());
    return info.Env().Undefined();
  });
}

Napi::Value ModelWrap::FriendlyName(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    char* name = nullptr;
    OV_CHECK(syms(), ov_model_get_friendly_name, handle(), &name);
    std::string result = name != nullptr ? name : "";
    if (name != nullptr) OV_FN(syms(), ov_free)(name);
    return Napi::String::New(info.Env(), result);
  });
}

Napi::Value ModelWrap::IsDynamic(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_model_t* model = handle();
    return Napi::Boolean::New(info.Env(), OV_FN(syms(), ov_model_is_dynamic)(model));
  });
}

}  // namespace ovcache
