// Shape and element-type inference, and evaluation of the supported ops (in doubles, each
// value rounded to its element type).
#include <algorithm>
#include <cstring>

#include "stub.h"

namespace ovstub {
namespace {
const char* kWhere = "src/core/src/node.cpp";

bool attr_true(const Node& n, const char* k) {
  auto it = n.attrs.find(k);
  return it != n.attrs.end() && (it->second == "true" || it->second == "1");
}

Dim bcast_dim(const Dim& a, const Dim& b, const Node& n) {
  if (a.is_static() && a.min == 1) return b;
  if (b.is_static() && b.min == 1) return a;
  if (a.is_static() && b.is_static()) {
    if (a.min != b.min)
      throw OvError(kWhere, "While validating node '" + n.type + " " + n.name +
                                "': Argument shapes are inconsistent (" + std::to_string(a.min) +
                                " vs " + std::to_string(b.min) + ")");
    return a;
  }
  if (a.is_static()) return a;
  if (b.is_static()) return b;
  return Dim{std::max(a.min, b.min),
             a.max < 0 ? b.max : (b.max < 0 ? a.max : std::min(a.max, b.max))};
}

PShape bcast(const PShape& a, const PShape& b, const Node& n) {
  if (a.rank_dynamic || b.rank_dynamic) return PShape{true, {}};
  size_t r = std::max(a.dims.size(), b.dims.size());
  PShape o;
  o.dims.resize(r);
  for (size_t i = 0; i < r; ++i) {
    Dim da = i < r - a.dims.size() ? Dim::fixed(1) : a.dims[i - (r - a.dims.size())];
    Dim db = i < r - b.dims.size() ? Dim::fixed(1) : b.dims[i - (r - b.dims.size())];
    o.dims[i] = bcast_dim(da, db, n);
  }
  return o;
}

PShape matmul_shape(const PShape& a, const PShape& b, const Node& n) {
  if (a.rank_dynamic || b.rank_dynamic) return PShape{true, {}};
  if (a.dims.size() != 2 || b.dims.size() != 2)
    throw OvError(kWhere, "While validating node 'MatMul " + n.name +
                              "': the test stand-in supports 2-D MatMul only, got " +
                              a.to_string() + " x " + b.to_string());
  bool ta = attr_true(n, "transpose_a"), tb = attr_true(n, "transpose_b");
  Dim m = a.dims[ta ? 1 : 0], ka = a.dims[ta ? 0 : 1];
  Dim kb = b.dims[tb ? 1 : 0], nn = b.dims[tb ? 0 : 1];
  if (ka.is_static() && kb.is_static() && ka.min != kb.min)
    throw OvError(kWhere, "While validating node 'MatMul " + n.name +
                              "': Incompatible MatMul matrix dimension. First input dimension=" +
                              std::to_string(ka.min) +
                              " at COL_INDEX_DIM=1 doesn't match the "
                              "second input dimension=" +
                              std::to_string(kb.min) + " at ROW_INDEX_DIM=0");
  return PShape{false, {m, nn}};
}

size_t index_of(const Shape& out, const Shape& in, size_t flat) {
  // numpy broadcast: map a flat index of `out` to `in`
  size_t idx = 0, stride = 1;
  size_t off = out.size() - in.size();
  for (size_t k = out.size(); k-- > 0;) {
    size_t coord = flat % static_cast<size_t>(out[k]);
    flat /= static_cast<size_t>(out[k]);
    if (k >= off) {
      size_t d = static_cast<size_t>(in[k - off]);
      if (d != 1) idx += coord * stride;
      stride *= d;
    }
  }
  return idx;
}
}  // namespace

void Graph::infer_shapes() {
  for (auto& n : nodes) {
    if (n.type == "Parameter" || n.type == "Const") continue;
    const Node& in0 = nodes[n.inputs[0]];
    const PShape& a = in0.shape;
    if (n.type == "Convert") {
      n.shape = a;  // n.elem is the destination_type
      continue;
    }
    n.elem = in0.elem;
    if (n.type == "Result") {
      n.shape = a;
      continue;
    }
    for (int in : n.inputs) {
      const Node& arg = nodes[in];
      // validate_and_infer_elementwise_arithmetic (src/core/src/op/util/...): same types, no
      // boolean; the stand-in also needs numeric types it can compute.
      if (arg.elem != in0.elem)
        throw OvError(kWhere, "While validating node '" + n.type + " " + n.name +
                                  "': Arguments do not have the same element type (" +
                                  elem_ir_name(in0.elem) + " vs " + elem_ir_name(arg.elem) + ")");
      if (arg.elem == Elem::boolean || !elem_numeric(arg.elem))
        throw OvError(kWhere, "While validating node '" + n.type + " " + n.name +
                                  "': Arguments cannot have " + elem_ir_name(arg.elem) +
                                  " element type");
    }
    if (n.type == "Relu") {
      n.shape = a;
    } else if (n.type == "MatMul") {
      n.shape = matmul_shape(a, nodes[n.inputs[1]].shape, n);
    } else {
      n.shape = bcast(a, nodes[n.inputs[1]].shape, n);
    }
  }
}

uint64_t Graph::weight_bytes() const {
  uint64_t s = 0;
  for (const auto& n : nodes)
    if (n.type == "Const") s += n.size;
  return s;
}

int Graph::find_param(const std::string& tensor_name) const {
  for (int p : params)
    for (const auto& nm : nodes[p].names)
      if (nm == tensor_name) return p;
  return -1;
}

void reshape_param(Graph& g, int p, const PShape& shape) {
  Node& n = g.nodes[p];
  if (!n.shape.rank_dynamic && !shape.rank_dynamic && n.shape.dims.size() != shape.dims.size())
    throw OvError("src/core/src/model.cpp",
                  "Check 'ov::PartialShape::broadcast_merge_into' failed: the rank of the new "
                  "shape " +
                      shape.to_string() + " for input '" + n.name + "' does not match its rank " +
                      n.shape.to_string() + " (the test stand-in keeps input ranks)");
  n.shape = shape;
}

std::vector<FTensor> evaluate(const Graph& g, const std::vector<FTensor>& inputs) {
  std::vector<FTensor> vals(g.nodes.size());
  for (size_t i = 0; i < g.params.size(); ++i) vals[g.params[i]] = inputs[i];
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    FTensor& o = vals[k];
    if (n.type == "Parameter") continue;
    o.elem = n.elem;
    if (n.type == "Const") {
      if (!elem_numeric(n.elem)) continue;  // only ever read by ops that refuse it
      o.shape = to_static(n.shape);
      o.data.resize(shape_size(o.shape));
      for (size_t i = 0; i < o.data.size(); ++i)
        o.data[i] = elem_load(n.elem, g.weights->data() + n.offset, i);
    } else if (n.type == "Result") {
      o = vals[n.inputs[0]];
    } else if (n.type == "Convert") {
      o = vals[n.inputs[0]];
      o.elem = n.elem;
      for (auto& v : o.data) v = elem_round(n.elem, v);
    } else if (n.type == "Relu") {
      o = vals[n.inputs[0]];
      for (auto& v : o.data) v = v > 0 ? v : 0;
    } else if (n.type == "Add" || n.type == "Multiply") {
      const FTensor &a = vals[n.inputs[0]], &b = vals[n.inputs[1]];
      PShape ps = bcast(from_static(a.shape), from_static(b.shape), n);
      o.shape = to_static(ps);
      size_t cnt = shape_size(o.shape);
      o.data.resize(cnt);
      bool add = n.type == "Add";
      bool same_a = a.shape == o.shape, same_b = b.shape == o.shape;
      for (size_t f = 0; f < cnt; ++f) {
        double x = a.data[same_a ? f : index_of(o.shape, a.shape, f)];
        double y = b.data[same_b ? f : index_of(o.shape, b.shape, f)];
        o.data[f] = elem_round(n.elem, add ? x + y : x * y);
      }
    } else if (n.type == "MatMul") {
      const FTensor &a = vals[n.inputs[0]], &b = vals[n.inputs[1]];
      PShape ps = matmul_shape(from_static(a.shape), from_static(b.shape), n);
      o.shape = to_static(ps);
      bool ta = attr_true(n, "transpose_a"), tb = attr_true(n, "transpose_b");
      size_t M = o.shape[0], N = o.shape[1];
      size_t K = static_cast<size_t>(a.shape[ta ? 0 : 1]);
      size_t lda = static_cast<size_t>(a.shape[1]), ldb = static_cast<size_t>(b.shape[1]);
      o.data.assign(M * N, 0.0);
      for (size_t i = 0; i < M; ++i)
        for (size_t kk = 0; kk < K; ++kk) {
          double av = ta ? a.data[kk * lda + i] : a.data[i * lda + kk];
          if (av == 0) continue;
          for (size_t j = 0; j < N; ++j) {
            double bv = tb ? b.data[j * ldb + kk] : b.data[kk * ldb + j];
            o.data[i * N + j] += av * bv;
          }
        }
      for (auto& v : o.data) v = elem_round(n.elem, v);
    }
  }
  std::vector<FTensor> out;
  for (int r : g.results) out.push_back(vals[r]);
  return out;
}
}  // namespace ovstub
