// ov_model_*, ov_port_*, ov_partial_shape_*, ov_shape_*.
#include <algorithm>
#include <cstring>

#include "stub.h"

using namespace ovstub;

namespace {
const char* kWhere = "src/core/src/model.cpp";

// Runs fn(graph, node) with the port's graph, locked when it belongs to a mutable model.
template <typename F>
void with_port(const ov_output_const_port_t* port, F&& fn) {
  if (port->model) {
    std::lock_guard<std::mutex> lock(port->model->mu);
    fn(static_cast<const Graph&>(port->model->g), port->node);
  } else {
    fn(static_cast<const Graph&>(port->compiled->g), port->node);
  }
}

const std::vector<std::string>& port_names(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  return n.type == "Result" ? g.nodes[n.inputs[0]].names : n.names;
}

// What ov::Dimension(min, max) makes of a C dimension (src/core/src/dimension.cpp): -1 is
// "no bound" on either side; INT64_MAX is Interval::s_max, also unbounded.
Dim to_dim(const ov_dimension_t& d) {
  int64_t lo = d.min == -1 ? 0 : d.min;
  int64_t hi = (d.max == -1 || d.max == INT64_MAX) ? -1 : d.max;
  // Not expressible through ov_partial_shape_create (check_dimension); ov::Interval's handling
  // of such bounds was not checked upstream, so the stand-in refuses them.
  if (lo < 0 || d.max < -1 || (hi >= 0 && hi < lo))
    throw OvError("src/core/src/dimension.cpp", "Invalid dimension {" + std::to_string(d.min) +
                                                    "," + std::to_string(d.max) + "}");
  if (hi == lo) return Dim::fixed(lo);
  return Dim{lo, hi};
}

// partial_shape_convert_to_cpp_object (src/bindings/c/src/ov_model.cpp): a dynamic rank (and
// so a rank of 0, see ov_rank_is_dynamic) becomes ONE dynamic dimension, not a dynamic rank.
PShape to_pshape(const ov_partial_shape_t& p) {
  PShape s;
  if (ov_rank_is_dynamic(p.rank)) {
    s.dims.push_back(Dim{0, -1});
    return s;
  }
  for (int64_t i = 0; i < p.rank.max; ++i) s.dims.push_back(to_dim(p.dims[i]));
  return s;
}

// check_dimension (src/bindings/c/src/ov_partial_shape.cpp).
bool dims_valid(const ov_dimension_t* dims, int64_t size) {
  for (int64_t i = 0; i < size; ++i)
    if (dims[i].max < -1 || dims[i].min < -1 || dims[i].max < dims[i].min) return false;
  return true;
}

void fill_pshape(const PShape& s, ov_partial_shape_t* out) {
  if (s.rank_dynamic) {
    out->rank = ov_dimension_t{0, -1};
    out->dims = nullptr;
    return;
  }
  int64_t r = static_cast<int64_t>(s.dims.size());
  out->rank = ov_dimension_t{r, r};
  out->dims = new ov_dimension_t[s.dims.size() ? s.dims.size() : 1];
  for (size_t i = 0; i < s.dims.size(); ++i)
    out->dims[i] = ov_dimension_t{s.dims[i].min, s.dims[i].max};
}

// As ov_node.cpp/ov_tensor.cpp do: ov_shape_create (which refuses rank 0, status ignored), then
// a copy. A scalar therefore leaves *out as the caller initialised it.
void fill_shape(const Shape& s, ov_shape_t* out) {
  if (s.empty()) return;
  out->rank = static_cast<int64_t>(s.size());
  out->dims = new int64_t[s.size()];
  for (size_t i = 0; i < s.size(); ++i) out->dims[i] = s[i];
}

Shape static_or_throw(const PShape& p) {
  if (!p.is_static())
    throw OvError("src/core/src/partial_shape.cpp",
                  "to_shape was called on a dynamic shape: " + p.to_string());
  return to_static(p);
}

void reshape(const ov_model_t* model, const std::vector<std::pair<std::string, PShape>>& items) {
  std::lock_guard<std::mutex> lock(model->obj->mu);
  Graph& g = model->obj->g;
  std::vector<Node> backup = g.nodes;
  try {
    for (const auto& it : items) {
      int p = g.find_param(it.first);
      if (p < 0)
        throw OvError(kWhere,
                      "Check 'false' failed: Port for tensor name " + it.first + " was not found.");
      reshape_param(g, p, it.second);
    }
    g.infer_shapes();
  } catch (...) {
    g.nodes = backup;
    throw;
  }
}
}  // namespace

extern "C" {

void ov_model_free(ov_model_t* model) { delete model; }

ov_status_e ov_model_inputs_size(const ov_model_t* model, size_t* input_size) {
  if (!model || !input_size) return INVALID_C_PARAM;
  std::lock_guard<std::mutex> lock(model->obj->mu);
  *input_size = model->obj->g.params.size();
  return OK;
}

ov_status_e ov_model_outputs_size(const ov_model_t* model, size_t* output_size) {
  if (!model || !output_size) return INVALID_C_PARAM;
  std::lock_guard<std::mutex> lock(model->obj->mu);
  *output_size = model->obj->g.results.size();
  return OK;
}

ov_status_e ov_model_const_input_by_index(const ov_model_t* model, const size_t index,
                                          ov_output_const_port_t** input_port) {
  if (!model || !input_port) return INVALID_C_PARAM;
  return guarded([&] {
    std::lock_guard<std::mutex> lock(model->obj->mu);
    const Graph& g = model->obj->g;
    if (index >= g.params.size())
      throw OvError(kWhere, "input() must be called on a valid index: " + std::to_string(index) +
                                " of " + std::to_string(g.params.size()));
    *input_port = new ov_output_const_port{model->obj, nullptr, g.params[index]};
  });
}

ov_status_e ov_model_const_output_by_index(const ov_model_t* model, const size_t index,
                                           ov_output_const_port_t** output_port) {
  if (!model || !output_port) return INVALID_C_PARAM;
  return guarded([&] {
    std::lock_guard<std::mutex> lock(model->obj->mu);
    const Graph& g = model->obj->g;
    if (index >= g.results.size())
      throw OvError(kWhere, "output() must be called on a valid index: " + std::to_string(index) +
                                " of " + std::to_string(g.results.size()));
    *output_port = new ov_output_const_port{model->obj, nullptr, g.results[index]};
  });
}

ov_status_e ov_model_input_by_name(const ov_model_t* model, const char* tensor_name,
                                   ov_output_port_t** input_port) {
  if (!model || !tensor_name || !input_port) return INVALID_C_PARAM;
  return guarded([&] {
    std::lock_guard<std::mutex> lock(model->obj->mu);
    int p = model->obj->g.find_param(tensor_name);
    if (p < 0)
      throw OvError(kWhere, std::string("Check 'false' failed: ov::Model doesn't have input with "
                                        "tensor name: ") +
                                tensor_name);
    auto* port = new ov_output_port;
    port->model = model->obj;
    port->node = p;
    *input_port = port;
  });
}

ov_status_e ov_model_reshape(const ov_model_t* model, const char** tensor_names,
                             const ov_partial_shape_t* partial_shapes, size_t size) {
  if (!model || !tensor_names || !partial_shapes || size < 1) return INVALID_C_PARAM;
  return guarded([&] {
    std::vector<std::pair<std::string, PShape>> items;
    for (size_t i = 0; i < size; ++i) {
      if (!tensor_names[i]) throw std::logic_error("null name");  // std::string(nullptr)
      items.emplace_back(tensor_names[i], to_pshape(partial_shapes[i]));
    }
    reshape(model, items);
  });
}

ov_status_e ov_model_reshape_input_by_name(const ov_model_t* model, const char* tensor_name,
                                           const ov_partial_shape_t partial_shape) {
  if (!model || !tensor_name) return INVALID_C_PARAM;
  return guarded([&] { reshape(model, {{tensor_name, to_pshape(partial_shape)}}); });
}

bool ov_model_is_dynamic(const ov_model_t* model) {
  if (!model) return false;
  std::lock_guard<std::mutex> lock(model->obj->mu);
  for (const auto& n : model->obj->g.nodes)
    if ((n.type == "Parameter" || n.type == "Result") && !n.shape.is_static()) return true;
  return false;
}

ov_status_e ov_model_get_friendly_name(const ov_model_t* model, char** friendly_name) {
  if (!model || !friendly_name) return INVALID_C_PARAM;
  std::lock_guard<std::mutex> lock(model->obj->mu);
  *friendly_name = dup_cstr(model->obj->g.name);
  return OK;
}

// --- ports ---------------------------------------------------------------------------------
ov_status_e ov_port_get_any_name(const ov_output_const_port_t* port, char** tensor_name) {
  if (!port || !tensor_name) return INVALID_C_PARAM;
  return guarded([&] {
    with_port(port, [&](const Graph& g, int node) {
      const auto& names = port_names(g, node);
      if (names.empty())
        throw OvError("src/core/src/descriptor/tensor.cpp",
                      "Attempt to get a name for a Tensor without names");
      // get_any_name() is the smallest name (std::min_element in
      // src/core/src/descriptor/tensor.cpp), not the first one the IR lists.
      *tensor_name = dup_cstr(*std::min_element(names.begin(), names.end()));
    });
  });
}

ov_status_e ov_port_get_partial_shape(const ov_output_const_port_t* port,
                                      ov_partial_shape_t* partial_shape) {
  if (!port || !partial_shape) return INVALID_C_PARAM;
  return guarded([&] {
    with_port(port,
              [&](const Graph& g, int node) { fill_pshape(g.nodes[node].shape, partial_shape); });
  });
}

ov_status_e ov_port_get_element_type(const ov_output_const_port_t* port,
                                     ov_element_type_e* tensor_type) {
  if (!port) return INVALID_C_PARAM;  // upstream checks only the port
  return guarded([&] {
    with_port(port,
              [&](const Graph& g, int node) { *tensor_type = elem_to_c(g.nodes[node].elem); });
  });
}

ov_status_e ov_const_port_get_shape(const ov_output_const_port_t* port, ov_shape_t* tensor_shape) {
  if (!port || !tensor_shape) return INVALID_C_PARAM;
  return guarded([&] {
    with_port(port, [&](const Graph& g, int node) {
      fill_shape(static_or_throw(g.nodes[node].shape), tensor_shape);
    });
  });
}

ov_status_e ov_port_get_shape(const ov_output_port_t* port, ov_shape_t* tensor_shape) {
  return ov_const_port_get_shape(port, tensor_shape);
}

void ov_output_port_free(ov_output_port_t* port) { delete port; }
void ov_output_const_port_free(ov_output_const_port_t* port) { delete port; }

// --- shapes (src/bindings/c/src/ov_dimension.cpp, ov_rank.cpp, ov_partial_shape.cpp,
// ov_shape.cpp) -------------------------------------------------------------------------------
bool ov_dimension_is_dynamic(const ov_dimension_t dim) {
  return !(dim.min == dim.max && dim.max > 0);
}

bool ov_rank_is_dynamic(const ov_rank_t rank) { return !(rank.min == rank.max && rank.max > 0); }

ov_status_e ov_partial_shape_create(const int64_t rank, const ov_dimension_t* dims,
                                    ov_partial_shape_t* partial_shape_obj) {
  if (!partial_shape_obj || rank <= 0 || !dims || !dims_valid(dims, rank)) return INVALID_C_PARAM;
  partial_shape_obj->dims = new ov_dimension_t[rank];
  std::memcpy(partial_shape_obj->dims, dims, static_cast<size_t>(rank) * sizeof(ov_dimension_t));
  partial_shape_obj->rank = ov_dimension_t{rank, rank};
  return OK;
}

ov_status_e ov_partial_shape_create_dynamic(const ov_rank_t rank, const ov_dimension_t* dims,
                                            ov_partial_shape_t* partial_shape_obj) {
  if (!partial_shape_obj || rank.min < -1 || rank.max < -1 || rank.min > rank.max)
    return INVALID_C_PARAM;
  partial_shape_obj->rank = rank;  // set before the dims are checked, as upstream
  if (ov_rank_is_dynamic(rank)) {
    partial_shape_obj->dims = nullptr;
    return OK;
  }
  if (!dims || !dims_valid(dims, rank.max)) return INVALID_C_PARAM;
  partial_shape_obj->dims = new ov_dimension_t[rank.max];
  std::memcpy(partial_shape_obj->dims, dims,
              static_cast<size_t>(rank.max) * sizeof(ov_dimension_t));
  return OK;
}

ov_status_e ov_partial_shape_create_static(const int64_t rank, const int64_t* dims,
                                           ov_partial_shape_t* partial_shape_obj) {
  if (!partial_shape_obj || rank < 0 || !dims) return INVALID_C_PARAM;
  // Upstream allocates first and leaves the allocation in place when a dim is refused.
  partial_shape_obj->dims = new ov_dimension_t[rank ? rank : 1];
  partial_shape_obj->rank = ov_dimension_t{rank, rank};
  for (int64_t i = 0; i < rank; ++i) {
    if (dims[i] <= 0) return INVALID_C_PARAM;
    partial_shape_obj->dims[i] = ov_dimension_t{dims[i], dims[i]};
  }
  return OK;
}

void ov_partial_shape_free(ov_partial_shape_t* partial_shape) {
  // Upstream deletes the dims and leaves the pointer as it was: a second free is a double free.
  if (partial_shape && partial_shape->dims) delete[] partial_shape->dims;
}

ov_status_e ov_partial_shape_to_shape(const ov_partial_shape_t partial_shape, ov_shape_t* shape) {
  if (!shape) return INVALID_C_PARAM;
  if (ov_rank_is_dynamic(partial_shape.rank)) return PARAMETER_MISMATCH;
  int64_t rank = partial_shape.rank.max;
  ov_shape_create(rank, nullptr, shape);
  for (int64_t i = 0; i < rank; ++i) {
    if (ov_dimension_is_dynamic(partial_shape.dims[i])) return PARAMETER_MISMATCH;
    shape->dims[i] = partial_shape.dims[i].max;
  }
  shape->rank = rank;
  return OK;
}

ov_status_e ov_shape_to_partial_shape(const ov_shape_t shape, ov_partial_shape_t* partial_shape) {
  if (!partial_shape || shape.rank <= 0 || !shape.dims) return INVALID_C_PARAM;
  partial_shape->rank = ov_dimension_t{shape.rank, shape.rank};
  partial_shape->dims = new ov_dimension_t[shape.rank];
  for (int64_t i = 0; i < shape.rank; ++i)
    partial_shape->dims[i] = ov_dimension_t{shape.dims[i], shape.dims[i]};
  return OK;
}

bool ov_partial_shape_is_dynamic(const ov_partial_shape_t partial_shape) {
  if (ov_rank_is_dynamic(partial_shape.rank)) return true;
  for (int64_t i = 0; i < partial_shape.rank.max; ++i)
    if (ov_dimension_is_dynamic(partial_shape.dims[i])) return true;
  return false;
}

// "{1,?,2..8,4..}" as upstream prints ov::Dimension(min, max); "?" for a dynamic rank.
const char* ov_partial_shape_to_string(const ov_partial_shape_t partial_shape) {
  if (ov_rank_is_dynamic(partial_shape.rank)) return dup_cstr("?");
  std::string out = "{";
  for (int64_t i = 0; i < partial_shape.rank.max; ++i) {
    const ov_dimension_t& d = partial_shape.dims[i];
    int64_t lo = d.min == -1 ? 0 : d.min;
    bool upper = d.max != -1 && d.max != INT64_MAX;
    if (upper && lo == d.max)
      out += std::to_string(lo);
    else if (lo > 0)
      out += std::to_string(lo) + ".." + (upper ? std::to_string(d.max) : "");
    else
      out += upper ? ".." + std::to_string(d.max) : "?";
    if (i + 1 < partial_shape.rank.max) out += ",";
  }
  return dup_cstr(out + "}");
}

ov_status_e ov_shape_create(const int64_t rank, const int64_t* dims, ov_shape_t* shape) {
  if (!shape || rank <= 0) return INVALID_C_PARAM;
  if (dims)
    for (int64_t i = 0; i < rank; ++i)
      if (dims[i] < 0) return INVALID_C_PARAM;
  shape->dims = new int64_t[rank]();
  if (dims) std::memcpy(shape->dims, dims, static_cast<size_t>(rank) * sizeof(int64_t));
  shape->rank = rank;
  return OK;
}

ov_status_e ov_shape_free(ov_shape_t* shape) {
  if (!shape) return INVALID_C_PARAM;
  shape->rank = 0;
  delete[] shape->dims;
  shape->dims = nullptr;
  return OK;
}
}
