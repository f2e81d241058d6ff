#include "infer_request_wrap.h"

#include <cstring>
#include <memory>

#include "async_work.h"

namespace ovcache {

namespace {

struct TensorIn {
  std::string name;
  ov_tensor_t* tensor = nullptr;
};

struct TensorOut {
  std::string name;
  ov_tensor_t* tensor = nullptr;
  int element_type = 0;
  std::vector<int64_t> shape;
  size_t byte_size = 0;
  const void* data = nullptr;
};

// Input tensors are created and filled on the main thread; Run() sets them, infers and
// collects the output tensors; Settle() copies those into fresh ArrayBuffers.
class InferWorker : public PromiseWorker {
 public:
  InferWorker(const Napi::CallbackInfo& info, InferRequestWrap* request)
      : PromiseWorker(info.Env(), "ovcache.infer"),
        request_(request),
        handle_(request->handle()),
        runtime_(request->runtime()),
        object_(Napi::Persistent(info.This().As<Napi::Object>())),
        outputs_(request->output_names().size()) {
    for (size_t i = 0; i < outputs_.size(); ++i) outputs_[i].name = request->output_names()[i];
    Napi::Array inputs = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < inputs.Length(); ++i) AddInput(inputs.Get(i).As<Napi::Object>());
  }

  ~InferWorker() override {
    const Symbols& syms = runtime_->syms;
    if (syms.ov_tensor_free == nullptr) return;
    for (TensorIn& input : inputs_) {
      if (input.tensor != nullptr) syms.ov_tensor_free(input.tensor);
    }
    for (TensorOut& output : outputs_) {
      if (output.tensor != nullptr) syms.ov_tensor_free(output.tensor);
    }
  }

 protected:
  void Begin() override { request_->BeginOp(); }

  void Run() override {
    const Symbols& syms = runtime_->syms;
    // By index, in the compiled model's input order: inputs without a tensor name have no
    // other way in (ov_infer_request_set_input_tensor_by_index, ov_infer_request.cpp).
    for (size_t i = 0; i < inputs_.size(); ++i) {
      OV_CHECK(syms, ov_infer_request_set_input_tensor_by_index, handle_, i, inputs_[i].tensor);
    }
    OV_CHECK(syms, ov_infer_request_infer, handle_);
    for (size_t i = 0; i < outputs_.size(); ++i) {
      TensorOut& out = outputs_[i];
      OV_CHECK(syms, ov_infer_request_get_output_tensor_by_index, handle_, i, &out.tensor);
      ov_shape_t shape{};
      OV_CHECK(syms, ov_tensor_get_shape, out.tensor, &shape);
      if (shape.dims != nullptr) out.shape.assign(shape.dims, shape.dims + shape.rank);
      OV_CHECK(syms, ov_shape_free, &shape);
      OV_CHECK(syms, ov_tensor_get_element_type, out.tensor, &out.element_type);
      // A STRING tensor holds std::string objects: its data pointer is not text bytes.
      if (std::string(ElementTypeName(runtime_->numbering, out.element_type)) == "string") {
        throw AddonError("OVCACHE_ELEMENT_TYPE_UNSUPPORTED",
                         "Output '" + out.name +
                             "' has element type string, which ovcache cannot read (its tensor "
                             "holds C++ std::string objects, not bytes)",
                         "ov_tensor_data");
      }
      OV_CHECK(syms, ov_tensor_get_byte_size, out.tensor, &out.byte_size);
      if (out.byte_size > 0) {
        void* data = nullptr;
        OV_CHECK(syms, ov_tensor_data, out.tensor, &data);
        out.data = data;
      }
    }
  }

  Napi::Value Settle(Napi::Env env) override {
    Napi::Array result = Napi::Array::New(env, outputs_.size());
    for (size_t i = 0; i < outputs_.size(); ++i) {
      const TensorOut& out = outputs_[i];
      Napi::Object tensor = Napi::Object::New(env);
      tensor.Set("name", out.name);
      tensor.Set("elementType", ElementTypeName(runtime_->numbering, out.element_type));
      Napi::Array shape = Napi::Array::New(env, out.shape.size());
      for (size_t d = 0; d < out.shape.size(); ++d) {
        shape.Set(static_cast<uint32_t>(d), static_cast<double>(out.shape[d]));
      }
      tensor.Set("shape", shape);
      Napi::ArrayBuffer data = Napi::ArrayBuffer::New(env, out.byte_size);
      if (out.byte_size > 0 && out.data != nullptr) {
        std::memcpy(data.Data(), out.data, out.byte_size);
      }
      tensor.Set("data", data);
      result.Set(static_cast<uint32_t>(i), tensor);
    }
    return result;
  }

  void Finish() override { request_->EndOp(); }

 private:
  // Copies one { name, elementType, shape, data } into a new OpenVINO tensor.
  void AddInput(Napi::Object input) {
    const Symbols& syms = runtime_->syms;
    TensorIn entry;
    entry.name = input.Get("name").As<Napi::String>().Utf8Value();
    std::string type_name = input.Get("elementType").As<Napi::String>().Utf8Value();
    int type = 0;
    if (type_name == "string" || !ElementTypeFromName(runtime_->numbering, type_name, &type)) {
      throw AddonError("OVCACHE_INVALID_ARGUMENT",
                       "Expected an element type for input '" + entry.name + "' but received '" +
                           type_name + "'",
                       "ov_tensor_create");
    }
    Napi::Array js_shape = input.Get("shape").As<Napi::Array>();
    std::vector<int64_t> dims;
    for (uint32_t d = 0; d < js_shape.Length(); ++d) {
      dims.push_back(js_shape.Get(d).As<Napi::Number>().Int64Value());
    }
    Napi::Value js_data = input.Get("data");
    const uint8_t* bytes = nullptr;
    size_t byte_length = 0;
    if (js_data.IsTypedArray()) {
      Napi::TypedArray array = js_data.As<Napi::TypedArray>();
      bytes = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
      byte_length = array.ByteLength();
    } else if (js_data.IsDataView()) {
      Napi::DataView view = js_data.As<Napi::DataView>();
      bytes = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
      byte_length = view.ByteLength();
    } else {
      throw AddonError("OVCACHE_INVALID_ARGUMENT",
                       "Expected an ArrayBufferView for data of input '" + entry.name +
                           "' but received another value",
                       "ov_tensor_create");
    }

    // The shape is only read during the call: our own storage, nothing to free.
    ov_shape_t shape{static_cast<int64_t>(dims.size()), dims.data()};
    inputs_.push_back(entry);  // owned from here on, freed by the destructor
    TensorIn& owned = inputs_.back();
    OV_CHECK(syms, ov_tensor_create, type, shape, &owned.tensor);
    size_t byte_size = 0;
    OV_CHECK(syms, ov_tensor_get_byte_size, owned.tensor, &byte_size);
    if (byte_size != byte_length) {
      throw AddonError("OVCACHE_INVALID_ARGUMENT",
                       "Expected " + std::to_string(byte_size) + " bytes for input '" + entry.name +
                           "' (" + type_name + ", shape of " + std::to_string(dims.size()) +
                           " dims) but received " + std::to_string(byte_length),
                       "ov_tensor_create");
    }
    if (byte_size > 0) {
      void* target = nullptr;
      OV_CHECK(syms, ov_tensor_data, owned.tensor, &target);
      std::memcpy(target, bytes, byte_size);
    }
  }

  InferRequestWrap* request_;
  ov_infer_request_t* handle_;
  std::shared_ptr<const Runtime> runtime_;
  Napi::ObjectReference object_;  // keeps request_ alive while the work runs
  std::vector<TensorIn> inputs_;
  std::vector<TensorOut> outputs_;
};

}  // namespace

Napi::Function InferRequestWrap::Init(Napi::Env env) {
  std::vector<Napi::ClassPropertyDescriptor<InferRequestWrap>> members = {
      InstanceMethod<&InferRequestWrap::Infer>("infer"),
  };
  AddCommonMembers(&members);
  return DefineClass(env, "InferRequest", members);
}

Napi::Object InferRequestWrap::Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                                      ov_compiled_model_t* compiled,
                                      std::vector<std::string> output_names,
                                      Napi::Object compiled_object) {
  AddonData* data = GetAddonData(env);
  Napi::Object object;
  InferRequestWrap* wrap = NewEmpty(env, data->infer_request_ctor, &object);
  ov_infer_request_t* request = nullptr;
  OV_CHECK(runtime->syms, ov_compiled_model_create_infer_request, compiled, &request);
  wrap->output_names_ = std::move(output_names);
  wrap->Adopt(data, runtime, request, compiled_object);
  return object;
}

Napi::Value InferRequestWrap::Infer(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    handle();
    if (busy()) {
      throw AddonError("OVCACHE_BUSY",
                       "InferRequest is busy: await the previous infer() or create another request",
                       "ov_infer_request_infer");
    }
    auto worker = std::make_unique<InferWorker>(info, this);
    return worker.release()->Start();
  });
}

}  // namespace ovcache
