// ov_compiled_model_*, ov_infer_request_* (ov_tensor_* are in c_api_tensor.cc).
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <future>

#include "stub.h"

using namespace ovstub;

struct StubRequest {
  std::shared_ptr<Compiled> cm;
  std::mutex mu;
  std::vector<std::shared_ptr<StubTensor>> inputs, outputs;
  std::future<ov_status_e> fut;
  bool running = false;
};

namespace {
const char* kWhere = "src/inference/src/dev/isync_infer_request.cpp";

// OV_STUB_INFER_MS, times OV_STUB_DYNAMIC_INFER_FACTOR for a model compiled with a dynamic
// input: upstream's plugins run shape inference and reallocate memory per call for those, and
// optimise them less (GPU docs: "if the same shape is used for a dynamic and a static model,
// performance is worse in the dynamic one"; CPU docs: dynamic shapes add memory-management
// overhead and may limit optimisations).
double infer_cost_ms(const Compiled& cm) {
  double cost = env_num("OV_STUB_INFER_MS", 0);
  for (int p : cm.g.params)
    if (!cm.g.nodes[p].shape.is_static()) return cost * env_num("OV_STUB_DYNAMIC_INFER_FACTOR", 1);
  return cost;
}
std::mutex g_cfg_mu;  // guards Compiled::cfg (set_property on a compiled model)

// ISyncInferRequest::check_tensor (src/inference/src/dev/isync_infer_request.cpp), run by
// set_tensor: the element type must match, and a static port's shape too. Dynamic ports are
// checked against their bounds at infer time.
void check_tensor(const Node& port, const char* kind, const StubTensor& t) {
  if (t.elem != port.elem)
    throw OvError(kWhere, std::string("The tensor element type is not corresponding with output "
                                      "element type (") +
                              elem_ir_name(t.elem) + " != " + elem_ir_name(port.elem));
  if (port.shape.is_static() && to_static(port.shape) != t.shape)
    throw OvError(kWhere, std::string("The ") + kind + " tensor size is not equal to the model " +
                              kind + " type: got " + from_static(t.shape).to_string() +
                              " expecting " + port.shape.to_string() + ".");
}

Shape default_shape(const PShape& p) {
  Shape s;
  if (p.rank_dynamic) return s;
  for (const auto& d : p.dims) s.push_back(d.is_static() ? d.min : 0);
  return s;
}

// idx >= 0: input index; idx < -1: output -(idx+2); -1: not found
int find_port(const Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.params.size(); ++i)
    for (const auto& n : g.nodes[g.params[i]].names)
      if (n == name) return static_cast<int>(i);
  for (size_t i = 0; i < g.results.size(); ++i)
    for (const auto& n : g.nodes[g.result_producer(i)].names)
      if (n == name) return -static_cast<int>(i) - 2;
  return -1;
}

void run_infer(StubRequest& r) {
  const Graph& g = r.cm->g;
  std::vector<FTensor> ins;
  for (size_t i = 0; i < g.params.size(); ++i) {
    const Node& p = g.nodes[g.params[i]];
    auto t = r.inputs[i];
    if (!t)
      throw OvError(kWhere,
                    "Input tensor for '" + p.name + "' was not set and the input is dynamic");
    if (t->elem != p.elem)
      throw OvError(kWhere, std::string("The tensor element type ") + elem_ir_name(t->elem) +
                                " does not match the input element type " + elem_ir_name(p.elem) +
                                " of '" + p.name + "'");
    if (!compatible(p.shape, t->shape))
      throw OvError(kWhere, "The input tensor size is not equal to the model input type: got " +
                                from_static(t->shape).to_string() + " expecting " +
                                p.shape.to_string() + " for input '" + p.name + "'");
    FTensor f;
    f.elem = t->elem;
    f.shape = t->shape;
    f.data.resize(shape_size(t->shape));
    for (size_t k = 0; k < f.data.size(); ++k) f.data[k] = elem_load(t->elem, t->data(), k);
    ins.push_back(std::move(f));
  }
  auto outs = evaluate(g, ins);
  for (size_t i = 0; i < outs.size(); ++i) {
    auto& o = r.outputs[i];
    if (o && o->elem != outs[i].elem)
      throw OvError(kWhere, std::string("The output tensor element type ") + elem_ir_name(o->elem) +
                                " does not match the output element type " +
                                elem_ir_name(outs[i].elem));
    if (!o || (o->shape != outs[i].shape && o->host)) {
      if (o && o->host)
        o->set_shape(outs[i].shape);  // throws when too small
      else
        o = make_tensor(outs[i].elem, outs[i].shape);
    } else if (o->shape != outs[i].shape) {
      o->set_shape(outs[i].shape);
    }
    for (size_t k = 0; k < outs[i].data.size(); ++k)
      elem_store(o->elem, o->data(), k, outs[i].data[k]);
  }
}

// Wall-clock ms since the epoch, as the log's "time" (fractional: intervals can be compared).
double epoch_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(system_clock::now().time_since_epoch()).count();
}

ov_status_e busy_error() {
  set_last_error(
      "Exception from src/inference/src/dev/iasync_infer_request.cpp:\n"
      "Infer Request is busy\n");
  return REQUEST_BUSY;
}

// Port on a compiled model.
ov_output_const_port_t* cport(const std::shared_ptr<Compiled>& c, int node) {
  return new ov_output_const_port{nullptr, c, node};
}
}  // namespace

extern "C" {

// --- compiled model -------------------------------------------------------------------------
ov_status_e ov_compiled_model_inputs_size(const ov_compiled_model_t* compiled_model, size_t* size) {
  if (!compiled_model || !size) return INVALID_C_PARAM;
  *size = compiled_model->obj->g.params.size();
  return OK;
}

ov_status_e ov_compiled_model_input_by_index(const ov_compiled_model_t* compiled_model,
                                             const size_t index,
                                             ov_output_const_port_t** input_port) {
  if (!compiled_model || !input_port) return INVALID_C_PARAM;
  return guarded([&] {
    const Graph& g = compiled_model->obj->g;
    if (index >= g.params.size())
      throw OvError("src/inference/src/cpp/compiled_model.cpp",
                    "input() must be called on a valid index: " + std::to_string(index));
    *input_port = cport(compiled_model->obj, g.params[index]);
  });
}

ov_status_e ov_compiled_model_input_by_name(const ov_compiled_model_t* compiled_model,
                                            const char* name, ov_output_const_port_t** input_port) {
  if (!compiled_model || !name || !input_port) return INVALID_C_PARAM;
  return guarded([&] {
    int p = compiled_model->obj->g.find_param(name);
    if (p < 0)
      throw OvError("src/inference/src/cpp/compiled_model.cpp",
                    std::string("Input for tensor name '") + name + "' is not found");
    *input_port = cport(compiled_model->obj, p);
  });
}

ov_status_e ov_compiled_model_outputs_size(const ov_compiled_model_t* compiled_model,
                                           size_t* size) {
  if (!compiled_model || !size) return INVALID_C_PARAM;
  *size = compiled_model->obj->g.results.size();
  return OK;
}

ov_status_e ov_compiled_model_output_by_index(const ov_compiled_model_t* compiled_model,
                                              const size_t index,
                                              ov_output_const_port_t** output_port) {
  if (!compiled_model || !output_port) return INVALID_C_PARAM;
  return guarded([&] {
    const Graph& g = compiled_model->obj->g;
    if (index >= g.results.size())
      throw OvError("src/inference/src/cpp/compiled_model.cpp",
                    "output() must be called on a valid index: " + std::to_string(index));
    *output_port = cport(compiled_model->obj, g.results[index]);
  });
}

ov_status_e ov_compiled_model_create_infer_request(const ov_compiled_model_t* compiled_model,
                                                   ov_infer_request_t** infer_request) {
  if (!compiled_model || !infer_request) return INVALID_C_PARAM;
  return guarded([&] {
    auto r = std::make_shared<StubRequest>();
    r->cm = compiled_model->obj;
    const Graph& g = r->cm->g;
    for (int p : g.params) {
      const Node& n = g.nodes[p];
      r->inputs.push_back(n.shape.is_static() ? make_tensor(n.elem, to_static(n.shape)) : nullptr);
    }
    for (int res : g.results) {
      const Node& n = g.nodes[res];
      r->outputs.push_back(n.shape.is_static() ? make_tensor(n.elem, to_static(n.shape)) : nullptr);
    }
    *infer_request = new ov_infer_request{r};
  });
}

ov_status_e ov_compiled_model_set_property(const ov_compiled_model_t* compiled_model, ...) {
  if (!compiled_model) return INVALID_C_PARAM;
  va_list args;
  va_start(args, compiled_model);
  return guarded([&] {
    std::pair<std::string, std::string> kv;
    try {
      kv = read_property_pair(args);
    } catch (...) {
      va_end(args);
      throw;
    }
    va_end(args);
    const std::string& key = kv.first;
    std::string v = check_property(compiled_model->obj->device, key, kv.second);
    std::lock_guard<std::mutex> lock(g_cfg_mu);
    compiled_model->obj->cfg[key] = v;
  });
}

ov_status_e ov_compiled_model_get_property(const ov_compiled_model_t* compiled_model,
                                           const char* property_key, char** property_value) {
  if (!compiled_model || !property_key || !property_value) return INVALID_C_PARAM;
  return guarded([&] {
    const Compiled& c = *compiled_model->obj;
    std::string key = property_key, v;
    if (key == "LOADED_FROM_CACHE") {
      v = c.loaded_from_cache ? "YES" : "NO";
    } else if (key == "NETWORK_NAME") {
      v = c.g.name;
    } else if (key == "EXECUTION_DEVICES") {
      v = c.device;
    } else if (key == "SUPPORTED_PROPERTIES") {
      v = "SUPPORTED_PROPERTIES NETWORK_NAME OPTIMAL_NUMBER_OF_INFER_REQUESTS EXECUTION_DEVICES "
          "LOADED_FROM_CACHE NUM_STREAMS INFERENCE_NUM_THREADS PERFORMANCE_HINT "
          "INFERENCE_PRECISION_HINT EXECUTION_MODE_HINT PERFORMANCE_HINT_NUM_REQUESTS PERF_COUNT "
          "CACHE_MODE";
    } else if (key == "AVAILABLE_DEVICES" || key == "OPTIMIZATION_CAPABILITIES" ||
               key == "RANGE_FOR_STREAMS") {
      throw OvError(
          "src/inference/src/cpp/compiled_model.cpp",
          "[ NOT_FOUND ] Unsupported property " + key + " by the compiled model on " + c.device);
    } else {
      std::lock_guard<std::mutex> lock(g_cfg_mu);
      v = device_property(c.device, c.cfg, key);
    }
    *property_value = dup_cstr(v);
  });
}

ov_status_e ov_compiled_model_export_model(const ov_compiled_model_t* compiled_model,
                                           const char* export_model_path) {
  if (!compiled_model || !export_model_path) return INVALID_C_PARAM;
  return guarded([&] { export_payload(*compiled_model->obj, export_model_path); });
}

void ov_compiled_model_free(ov_compiled_model_t* compiled_model) { delete compiled_model; }

// --- infer request --------------------------------------------------------------------------
ov_status_e ov_infer_request_set_tensor(ov_infer_request_t* infer_request, const char* tensor_name,
                                        const ov_tensor_t* tensor) {
  if (!infer_request || !tensor_name || !tensor) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.running) return busy_error();
  return guarded([&] {
    int k = find_port(r.cm->g, tensor_name);
    if (k == -1)
      throw OvError(kWhere,
                    std::string("Check 'found_port.found()' failed: Port for tensor name ") +
                        tensor_name + " was not found.");
    const Graph& g = r.cm->g;
    if (k >= 0) {
      check_tensor(g.nodes[g.params[static_cast<size_t>(k)]], "input", *tensor->obj);
      r.inputs[static_cast<size_t>(k)] = tensor->obj;
    } else {
      check_tensor(g.nodes[g.results[static_cast<size_t>(-k - 2)]], "output", *tensor->obj);
      r.outputs[static_cast<size_t>(-k - 2)] = tensor->obj;
    }
  });
}

ov_status_e ov_infer_request_set_input_tensor_by_index(ov_infer_request_t* infer_request,
                                                       size_t idx, const ov_tensor_t* tensor) {
  if (!infer_request || !tensor) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.running) return busy_error();
  return guarded([&] {
    if (idx >= r.inputs.size())
      throw OvError(kWhere, "Input index " + std::to_string(idx) + " is out of range");
    check_tensor(r.cm->g.nodes[r.cm->g.params[idx]], "input", *tensor->obj);
    r.inputs[idx] = tensor->obj;
  });
}

ov_status_e ov_infer_request_get_tensor(const ov_infer_request_t* infer_request,
                                        const char* tensor_name, ov_tensor_t** tensor) {
  if (!infer_request || !tensor_name || !tensor) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  std::lock_guard<std::mutex> lock(r.mu);
  return guarded([&] {
    const Graph& g = r.cm->g;
    int k = find_port(g, tensor_name);
    if (k == -1)
      throw OvError(kWhere,
                    std::string("Check 'found_port.found()' failed: Port for tensor name ") +
                        tensor_name + " was not found.");
    std::shared_ptr<StubTensor>* slot;
    Elem e;
    PShape ps;
    if (k >= 0) {
      slot = &r.inputs[static_cast<size_t>(k)];
      e = g.nodes[g.params[static_cast<size_t>(k)]].elem;
      ps = g.nodes[g.params[static_cast<size_t>(k)]].shape;
    } else {
      slot = &r.outputs[static_cast<size_t>(-k - 2)];
      e = g.nodes[g.results[static_cast<size_t>(-k - 2)]].elem;
      ps = g.nodes[g.results[static_cast<size_t>(-k - 2)]].shape;
    }
    if (!*slot) *slot = make_tensor(e, default_shape(ps));
    *tensor = new ov_tensor{*slot};
  });
}

ov_status_e ov_infer_request_get_output_tensor_by_index(const ov_infer_request_t* infer_request,
                                                        size_t idx, ov_tensor_t** tensor) {
  if (!infer_request || !tensor) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  std::lock_guard<std::mutex> lock(r.mu);
  return guarded([&] {
    const Graph& g = r.cm->g;
    if (idx >= r.outputs.size())
      throw OvError(kWhere, "Output index " + std::to_string(idx) + " is out of range");
    const Node& res = g.nodes[g.results[idx]];
    if (!r.outputs[idx]) r.outputs[idx] = make_tensor(res.elem, default_shape(res.shape));
    *tensor = new ov_tensor{r.outputs[idx]};
  });
}

// ov_infer_request.cpp: the single-port forms; ov::InferRequest throws when the model has more
// than one input (output).
ov_status_e ov_infer_request_set_input_tensor(ov_infer_request_t* infer_request,
                                              const ov_tensor_t* tensor) {
  if (!infer_request || !tensor) return INVALID_C_PARAM;
  {
    StubRequest& r = *infer_request->obj;
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.inputs.size() != 1)
      return guarded([&] {
        throw OvError(kWhere,
                      "set_input_tensor() must be called on a function with exactly one "
                      "parameter.");
      });
  }
  return ov_infer_request_set_input_tensor_by_index(infer_request, 0, tensor);
}

ov_status_e ov_infer_request_get_output_tensor(const ov_infer_request_t* infer_request,
                                               ov_tensor_t** tensor) {
  if (!infer_request || !tensor) return INVALID_C_PARAM;
  {
    StubRequest& r = *infer_request->obj;
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.outputs.size() != 1)
      return guarded([&] {
        throw OvError(kWhere,
                      "get_output_tensor() must be called on a function with exactly "
                      "one result.");
      });
  }
  return ov_infer_request_get_output_tensor_by_index(infer_request, 0, tensor);
}

ov_status_e ov_infer_request_infer(ov_infer_request_t* infer_request) {
  if (!infer_request) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  double cost = infer_cost_ms(*r.cm);
  if (cost > 0) {
    {
      std::lock_guard<std::mutex> lock(r.mu);
      if (r.running) return busy_error();
      r.running = true;  // busy for others while the cost is slept off, with no lock held
    }
    double start = epoch_ms();
    sleep_ms(cost);
    std::lock_guard<std::mutex> lock(r.mu);
    r.running = false;
    ov_status_e st = guarded([&] { run_infer(r); });
    log_event("infer", {lf("start", start), lf("ms", epoch_ms() - start)});
    return st;
  }
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.running) return busy_error();
  return guarded([&] { run_infer(r); });
}

ov_status_e ov_infer_request_start_async(ov_infer_request_t* infer_request) {
  if (!infer_request) return INVALID_C_PARAM;
  std::shared_ptr<StubRequest> r = infer_request->obj;
  std::lock_guard<std::mutex> lock(r->mu);
  if (r->running) return busy_error();
  r->running = true;
  r->fut = std::async(std::launch::async, [r]() {
    ov_status_e st;
    sleep_ms(infer_cost_ms(*r->cm));  // before the request's lock: requests overlap
    {
      std::lock_guard<std::mutex> l(r->mu);
      st = guarded([&] { run_infer(*r); });
    }
    return st;
  });
  return OK;
}

ov_status_e ov_infer_request_wait(ov_infer_request_t* infer_request) {
  if (!infer_request) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  std::future<ov_status_e> f;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (!r.fut.valid()) return OK;
    f = std::move(r.fut);
  }
  ov_status_e st = f.get();
  std::lock_guard<std::mutex> lock(r.mu);
  r.running = false;
  return st;
}

ov_status_e ov_infer_request_wait_for(ov_infer_request_t* infer_request, const int64_t timeout) {
  if (!infer_request) return INVALID_C_PARAM;
  StubRequest& r = *infer_request->obj;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (!r.fut.valid()) return OK;
  }
  // r.fut is only moved by wait/wait_for from the caller's thread.
  if (r.fut.wait_for(std::chrono::milliseconds(timeout < 0 ? 0 : timeout)) !=
      std::future_status::ready)
    return RESULT_NOT_READY;  // ov_infer_request.cpp: wait_for false -> RESULT_NOT_READY
  return ov_infer_request_wait(infer_request);
}

ov_status_e ov_infer_request_cancel(ov_infer_request_t* infer_request) {
  if (!infer_request) return INVALID_C_PARAM;
  return OK;
}

void ov_infer_request_free(ov_infer_request_t* infer_request) {
  if (!infer_request) return;
  std::future<ov_status_e> f;
  {
    std::lock_guard<std::mutex> lock(infer_request->obj->mu);
    f = std::move(infer_request->obj->fut);
  }
  if (f.valid()) f.wait();
  delete infer_request;
}
}
