// Reads OpenVINO IR v10/v11 (.xml + .bin) into a Graph.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "stub.h"

namespace ovstub {
namespace {
const char* kWhere = "src/frontends/ir/src/ir_deserializer.cpp";

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

bool is_regular(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == ',') {
      cur += ',';
      ++i;
    } else if (s[i] == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (s[i] != ' ' || !cur.empty()) {
      cur += s[i];
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Upstream's IR deserializer creates ops with opset.create_insensitive(type)
// (src/frontends/ir/src/ir_deserializer.cpp): "ReLU", "relu" and "Relu" are the same op.
const char* const kOps[] = {"Parameter", "Const",  "Result", "Add",
                            "Multiply",  "MatMul", "Relu",   "Convert"};

// The op's canonical name, or "" when the stand-in does not implement it.
std::string canonical_op(const std::string& type) {
  for (const char* op : kOps) {
    std::string name = op;
    if (name.size() != type.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(name[i])) ==
             std::tolower(static_cast<unsigned char>(type[i]));
    if (same) return name;
  }
  return "";
}
}  // namespace

Graph read_ir(const std::string& xml_text, std::shared_ptr<const std::string> weights,
              const std::string& xml_path) {
  std::unique_ptr<XmlNode> root;
  try {
    root = parse_xml(xml_text);
  } catch (const std::exception& e) {
    throw OvError(kWhere, "Unable to read the model: " + xml_path + " Please check that model " +
                              "format: xml is supported and the model is correct. XML parse " +
                              "error: " + e.what());
  }
  if (root->name != "net")
    throw OvError(kWhere, "Unable to read the model: " + xml_path + " (root element is <" +
                              root->name + ">, expected <net>)");
  const std::string* ver = root->attr("version");
  if (!ver || (*ver != "10" && *ver != "11"))
    throw OvError(kWhere, "Unsupported IR version: " + (ver ? *ver : std::string("none")) + " in " +
                              xml_path);
  Graph g;
  g.xml_text = xml_text;
  g.weights = weights ? weights : std::make_shared<const std::string>();
  g.name = root->attr("name") ? *root->attr("name") : "";
  const XmlNode* layers = root->child("layers");
  const XmlNode* edges = root->child("edges");
  if (!layers) throw OvError(kWhere, "Unable to read the model: " + xml_path + " has no <layers>");

  struct Raw {
    const XmlNode* x;
    std::string id;
    std::vector<std::string> in_ports;
  };
  std::vector<Raw> raws;
  std::map<std::string, size_t> by_id;
  for (const XmlNode* l : layers->all("layer")) {
    const std::string* id = l->attr("id");
    const std::string* type = l->attr("type");
    if (!id || !type) throw OvError(kWhere, "Layer without id or type in " + xml_path);
    if (canonical_op(*type).empty())
      throw OvError(kWhere, "Opset " + (l->attr("version") ? *l->attr("version") : "") +
                                " doesn't contain the operation with type: " + *type +
                                " (the test stand-in implements Parameter, Const, Result, Add, "
                                "Multiply, MatMul, Relu, Convert)");
    if (by_id.count(*id)) throw OvError(kWhere, "Duplicate layer id " + *id);
    Raw r{l, *id, {}};
    if (const XmlNode* in = l->child("input"))
      for (const XmlNode* p : in->all("port"))
        r.in_ports.push_back(p->attr("id") ? *p->attr("id") : "");
    by_id[*id] = raws.size();
    raws.push_back(r);
  }
  // producer of (layer, in-port)
  std::map<std::pair<std::string, std::string>, std::string> producer;
  if (edges)
    for (const XmlNode* e : edges->all("edge")) {
      const std::string *fl = e->attr("from-layer"), *tl = e->attr("to-layer"),
                        *tp = e->attr("to-port");
      if (!fl || !tl || !tp || !by_id.count(*fl) || !by_id.count(*tl))
        throw OvError(kWhere, "Invalid edge in " + xml_path);
      producer[{*tl, *tp}] = *fl;
    }
  // topological order (Kahn)
  std::vector<std::vector<size_t>> deps(raws.size());
  for (size_t k = 0; k < raws.size(); ++k)
    for (const auto& port : raws[k].in_ports) {
      auto it = producer.find({raws[k].id, port});
      if (it == producer.end())
        throw OvError(kWhere, "Input port " + port + " of layer " + raws[k].id +
                                  " is not connected in " + xml_path);
      deps[k].push_back(by_id[it->second]);
    }
  std::vector<int> order_index(raws.size(), -1);
  std::vector<size_t> order;
  while (order.size() < raws.size()) {
    bool progress = false;
    for (size_t k = 0; k < raws.size(); ++k) {
      if (order_index[k] >= 0) continue;
      bool ready = std::all_of(deps[k].begin(), deps[k].end(),
                               [&](size_t d) { return order_index[d] >= 0; });
      if (!ready) continue;
      order_index[k] = static_cast<int>(order.size());
      order.push_back(k);
      progress = true;
    }
    if (!progress) throw OvError(kWhere, "The graph in " + xml_path + " has a cycle");
  }
  for (size_t k : order) {
    const Raw& r = raws[k];
    Node n;
    n.type = canonical_op(*r.x->attr("type"));
    n.name = r.x->attr("name") ? *r.x->attr("name") : r.id;
    if (const XmlNode* d = r.x->child("data"))
      for (const auto& a : d->attrs) n.attrs[a.first] = a.second;
    for (size_t d : deps[k]) n.inputs.push_back(order_index[d]);
    if (const XmlNode* out = r.x->child("output"))
      if (const XmlNode* p = out->child("port"))
        if (const std::string* names = p->attr("names")) n.names = split_names(*names);
    auto need_inputs = [&](size_t cnt) {
      if (n.inputs.size() != cnt)
        throw OvError(kWhere, n.type + " layer " + n.name + " expects " + std::to_string(cnt) +
                                  " inputs, got " + std::to_string(n.inputs.size()));
    };
    try {
      if (n.type == "Parameter" || n.type == "Const") {
        need_inputs(0);
        auto et = n.attrs.find("element_type");
        n.elem = elem_from_ir(et == n.attrs.end() ? "" : et->second);
        if (n.elem == Elem::undefined)
          throw OvError(kWhere, "Layer " + n.name + ": unsupported element_type");
        auto sh = n.attrs.find("shape");
        if (sh == n.attrs.end()) throw OvError(kWhere, "Layer " + n.name + " has no shape");
        n.shape = parse_ir_shape(sh->second);
      } else if (n.type == "Convert") {
        need_inputs(1);
        auto dt = n.attrs.find("destination_type");
        n.elem = elem_from_ir(dt == n.attrs.end() ? "" : dt->second);
        if (!elem_numeric(n.elem))
          throw OvError(kWhere, "Convert " + n.name + ": the test stand-in converts to boolean, " +
                                    "f16, f32, f64, i8..i64 and u8..u64 only");
      } else if (n.type == "Result" || n.type == "Relu") {
        need_inputs(1);
      } else {
        need_inputs(2);
      }
    } catch (const std::invalid_argument& e) {
      throw OvError(kWhere, "Layer " + n.name + ": " + e.what());
    }
    if (n.type == "Const") {
      if (!n.shape.is_static()) throw OvError(kWhere, "Const " + n.name + " has a dynamic shape");
      try {
        n.offset = std::stoull(n.attrs.at("offset"));
        n.size = std::stoull(n.attrs.at("size"));
      } catch (...) {
        throw OvError(kWhere, "Const " + n.name + " needs numeric offset and size");
      }
      uint64_t expect = (shape_size(to_static(n.shape)) * elem_bits(n.elem) + 7) / 8;
      if (expect != n.size)
        throw OvError(kWhere, "Const " + n.name + ": size " + std::to_string(n.size) +
                                  " does not match shape " + n.shape.to_string() + " of " +
                                  elem_ir_name(n.elem));
      if (n.offset + n.size > g.weights->size())
        throw OvError(kWhere, "Incorrect weights in bin file! Const " + n.name + " needs bytes " +
                                  std::to_string(n.offset) + ".." +
                                  std::to_string(n.offset + n.size) + " but the weights are " +
                                  std::to_string(g.weights->size()) + " bytes");
    }
    if (n.type == "Parameter") g.params.push_back(static_cast<int>(g.nodes.size()));
    if (n.type == "Result") g.results.push_back(static_cast<int>(g.nodes.size()));
    g.nodes.push_back(std::move(n));
  }
  // Parameters and Results keep the order of the XML (by layer id order in the file).
  auto by_file = [&](int a, int b) {
    auto pos = [&](int node) {
      for (size_t k = 0; k < order.size(); ++k)
        if (order_index[k] == node) return k;
      return order.size();
    };
    return pos(a) < pos(b);
  };
  std::sort(g.params.begin(), g.params.end(), by_file);
  std::sort(g.results.begin(), g.results.end(), by_file);
  if (g.results.empty()) throw OvError(kWhere, "The model in " + xml_path + " has no Result");
  g.infer_shapes();
  return g;
}

std::shared_ptr<Graph> read_model_files(const std::string& xml_path, const std::string& bin_in) {
  const char* where = "src/inference/src/model_reader.cpp";
  std::string text;
  if (!is_regular(xml_path) || !read_file(xml_path, text))
    throw OvError(where, "Model file " + xml_path + " cannot be opened!");
  std::string bin_path = bin_in;
  bool implicit = bin_path.empty();
  if (implicit) {
    bin_path = xml_path;
    size_t dot = bin_path.rfind('.');
    size_t slash = bin_path.rfind('/');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
      bin_path.erase(dot);
    bin_path += ".bin";
  }
  auto bin = std::make_shared<std::string>();
  if (!is_regular(bin_path) || !read_file(bin_path, *bin)) {
    bool has_const = text.find("type=\"Const\"") != std::string::npos;
    if (!implicit || has_const)
      throw OvError("src/frontends/ir/src/frontend.cpp",
                    "Weights file " + bin_path + " cannot be opened!");
  }
  auto g = std::make_shared<Graph>(read_ir(text, bin, xml_path));
  if (!bin->empty()) g->bin_path = bin_path;
  return g;
}
}  // namespace ovstub
