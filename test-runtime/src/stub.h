// Internal declarations of the OpenVINO C API stand-in (test infrastructure, never shipped).
#pragma once

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "ov_c_api.h"

namespace ovstub {

// ---- errors (errors.cc) -------------------------------------------------------------------
// An ov::Exception-like error: mapped to GENERAL_ERROR (or `status`) with the text stored as
// the process-global last error.
struct OvError : std::runtime_error {
  ov_status_e status;
  OvError(const std::string& where, const std::string& msg, ov_status_e st = GENERAL_ERROR);
};
// A bad C argument: INVALID_C_PARAM, last error untouched (as upstream).
struct CParamError {};
// A status upstream returns from inside its try block without an exception (e.g. export_model
// failing to open its file: GENERAL_ERROR): the last error is left untouched.
struct BareStatus {
  ov_status_e status;
};

void set_last_error(const std::string& msg);
char* dup_cstr(const std::string& s);

template <typename F>
ov_status_e guarded(F&& f) {
  try {
    f();
    return OK;
  } catch (const CParamError&) {
    return INVALID_C_PARAM;
  } catch (const BareStatus& b) {
    return b.status;
  } catch (const OvError& e) {
    set_last_error(e.what());
    return e.status;
  } catch (...) {
    set_last_error("An unknown exception occurred");
    return UNKNOW_EXCEPTION;
  }
}
inline void need(bool cond) {
  if (!cond) throw CParamError{};
}

// ---- element types (elements.cc) -----------------------------------------------------------
enum class Elem : int {
  undefined = -1,
  dynamic = 0,
  boolean,
  bf16,
  f16,
  f32,
  f64,
  i4,
  i8,
  i16,
  i32,
  i64,
  u1,
  u2,
  u3,
  u4,
  u6,
  u8,
  u16,
  u32,
  u64,
  nf4,
  f8e4m3,
  f8e5m2,
  string,
  f4e2m1,
  f8e8m0,
  count_
};
Elem elem_from_ir(const std::string& s);  // "f32" -> f32; undefined when unknown
const char* elem_ir_name(Elem e);
size_t elem_bits(Elem e);
int elem_to_c(Elem e);  // by the numbering of the reported release
Elem elem_from_c(int v);
// Values of the numeric types (boolean, f16, f32, f64, i8..i64, u8..u64) as doubles; i64/u64
// beyond 2^53 lose precision (fixtures stay far below). Float -> integer truncates toward zero
// and saturates, boolean is v != 0 (Convert-1).
bool elem_numeric(Elem e);
double elem_load(Elem e, const void* data, size_t i);
void elem_store(Elem e, void* data, size_t i, double v);
double elem_round(Elem e, double v);  // v as stored in e and read back

// ---- knobs (knobs.cc) ------------------------------------------------------------------------
std::string build_number();  // OV_STUB_VERSION or the default
int version_major();         // 2025
int version_minor();         // 4
std::string env_str(const char* name, const std::string& def = "");
double env_num(const char* name, double def);
bool fail_mode(const char* mode);  // OV_STUB_FAIL contains this comma-separated item
std::vector<std::string> devices();
// OV_STUB_WEIGHTLESS ("GPU:CACHE_MODE+ENABLE_WEIGHTLESS,CPU:ENABLE_WEIGHTLESS"): whether the
// device lists `key` (CACHE_MODE or ENABLE_WEIGHTLESS) in SUPPORTED_PROPERTIES.
bool device_lists(const std::string& device, const std::string& key);
void sleep_ms(double ms);
// OV_STUB_COMPILE_GATE: a compile ends only once this file exists (a test holds a compile open on
// a state, not a time); at most 60 s, then it fails.
void compile_gate();
// OV_STUB_BLOB_OPEN_DELAY_MS: sleeps before an existing cache blob is opened (the window in which
// an evictor could remove it).
void blob_open_delay(const std::string& path);
double now_ms();

// ---- log (log.cc) -----------------------------------------------------------------------------
struct LogField {
  std::string key;
  std::string value;
  bool quoted;
};
void log_event(const std::string& event, const std::vector<LogField>& fields);
LogField lf(const std::string& k, const std::string& v);
LogField lf(const std::string& k, double v);

// ---- shapes (shapes.cc) ----------------------------------------------------------------------
struct Dim {
  int64_t min = 0;
  int64_t max = -1;  // -1: unbounded
  bool is_static() const { return min == max && min >= 0; }
  static Dim fixed(int64_t v) { return Dim{v, v}; }
};
struct PShape {
  bool rank_dynamic = false;
  std::vector<Dim> dims;
  bool is_static() const;
  std::string to_string() const;  // "[1,3,?,1..10]"
  std::string to_ir() const;      // "1,3,?,1..10"
};
using Shape = std::vector<int64_t>;
PShape parse_ir_shape(const std::string& s);  // throws std::invalid_argument
Shape to_static(const PShape& p);
PShape from_static(const Shape& s);
size_t shape_size(const Shape& s);
bool compatible(const PShape& p, const Shape& s);

// ---- XML (xml.cc) -----------------------------------------------------------------------------
struct XmlNode {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::vector<std::unique_ptr<XmlNode>> children;
  std::string text;
  const std::string* attr(const std::string& k) const;
  const XmlNode* child(const std::string& n) const;
  std::vector<const XmlNode*> all(const std::string& n) const;
};
// Throws std::runtime_error("<description> at offset N").
std::unique_ptr<XmlNode> parse_xml(const std::string& text);

// ---- graph (ir_reader.cc, graph.cc) -----------------------------------------------------------
struct Node {
  std::string name;
  std::string type;
  std::map<std::string, std::string> attrs;
  std::vector<int> inputs;  // producer node indices (single-output ops only)
  Elem elem = Elem::f32;
  PShape shape;                    // output shape (for Parameter: the declared/reshaped one)
  std::vector<std::string> names;  // tensor names of the output
  uint64_t offset = 0, size = 0;   // Const
};
struct Graph {
  std::string name;
  std::vector<Node> nodes;  // topologically sorted
  std::vector<int> params, results;
  std::shared_ptr<const std::string> weights;  // the .bin contents
  std::string xml_text;                        // the IR, kept for blobs
  std::string bin_path;                        // where the weights came from (weightless blobs)
  void infer_shapes();                         // throws OvError
  uint64_t weight_bytes() const;
  int find_param(const std::string& tensor_name) const;  // -1 when absent
  int result_producer(size_t i) const { return nodes[results[i]].inputs[0]; }
};
Graph read_ir(const std::string& xml_text, std::shared_ptr<const std::string> weights,
              const std::string& xml_path);
void reshape_param(Graph& g, int param_node, const PShape& shape);
// Evaluate with static input shapes; returns one (shape, data) per result.
struct FTensor {
  Elem elem = Elem::f32;
  Shape shape;
  std::vector<double> data;  // every value already rounded to elem
};
std::vector<FTensor> evaluate(const Graph& g, const std::vector<FTensor>& inputs);

// ---- hashing ----------------------------------------------------------------------------------
struct Hasher {
  uint64_t h = 1469598103934665603ULL;
  uint64_t carry = 0;
  int nc = 0;
  void bytes(const void* p, size_t n);
  void str(const std::string& s) {
    uint64_t n = s.size();
    bytes(&n, sizeof n);
    bytes(s.data(), s.size());
  }
  uint64_t done() const;
};

// ---- properties (properties.cc) ---------------------------------------------------------------
using Config = std::map<std::string, std::string>;
std::string plugin_description(const std::string& device);  // the plugin's ov::Version text
std::string normalize_device(const std::string& d);         // "CPU.0" -> "CPU"; throws if unknown
// Validates key and value for `device` ("" = core); throws OvError naming key and device.
std::string check_property(const std::string& device, const std::string& key,
                           const std::string& value);
std::string device_property(const std::string& device, const Config& cfg, const std::string& key);
// Upstream's is_weightless_enabled, limited to what the device lists: ENABLE_WEIGHTLESS when set,
// else CACHE_MODE=OPTIMIZE_SIZE.
bool weightless_enabled(const std::string& device, const Config& cfg);
std::vector<std::string> caching_keys(const std::string& device);
// One key/value pair from a variadic list, as GET_PROPERTY_FROM_ARGS_LIST
// (src/bindings/c/src/common.h) reads it: both `char*`, a NULL one throws std::logic_error
// (std::string from NULL: UNKNOW_EXCEPTION). CACHE_ENCRYPTION_CALLBACKS takes a pointer to
// ov_encryption_callbacks instead, which upstream dereferences and calls later: the stand-in
// does not model encryption and fails GENERAL_ERROR without touching the pointer.
std::pair<std::string, std::string> read_property_pair(va_list args);

// ---- objects ----------------------------------------------------------------------------------
struct Core {
  std::mutex mu;
  std::map<std::string, Config> cfg;  // "" = global
  std::mutex guard_mu;
  std::map<std::string, std::weak_ptr<std::mutex>> blob_guards;
  Config effective(const std::string& device) const;  // caller holds mu
  std::shared_ptr<std::mutex> blob_guard(const std::string& id);
};
struct Model {
  mutable std::mutex mu;
  Graph g;
};
struct Compiled {
  std::string device;
  Config cfg;
  Graph g;
  bool loaded_from_cache = false;
  std::string weights_path;   // for weightless blobs
  uint64_t mapped_bytes = 0;  // weights a weightless import read from the .bin
  uint64_t device_bytes = 0;  // counted in the GPU's GPU_MEMORY_STATISTICS while alive
  ~Compiled();
};
// A compiled model handed to the caller: on GPU its weights count as device memory until freed.
void track_device_memory(Compiled& c);

// ---- cache (cache.cc) -------------------------------------------------------------------------
std::shared_ptr<Compiled> compile_with_cache(Core& core, const std::string& device,
                                             const Config& cfg, const std::string& model_path,
                                             const Graph* model_graph);
std::shared_ptr<Compiled> compile_plain(const std::string& device, const Config& cfg, Graph g);
void export_payload(const Compiled& c, const std::string& path);
std::shared_ptr<Compiled> import_payload(const char* data, size_t size, const std::string& device);
std::shared_ptr<Graph> read_model_files(const std::string& xml_path, const std::string& bin_path);

}  // namespace ovstub

// Handle structs (the C API's opaque types).
struct ov_core {
  std::shared_ptr<ovstub::Core> obj;
};
struct ov_model {
  std::shared_ptr<ovstub::Model> obj;
};
struct ov_compiled_model {
  std::shared_ptr<ovstub::Compiled> obj;
};
struct ov_output_const_port {
  std::shared_ptr<ovstub::Model> model;        // set for model ports
  std::shared_ptr<ovstub::Compiled> compiled;  // set for compiled-model ports
  int node = 0;                                // Parameter node or Result's producer
};
struct ov_output_port : ov_output_const_port {};
struct ov_tensor {
  std::shared_ptr<struct StubTensor> obj;
};
struct StubTensor {
  ovstub::Elem elem = ovstub::Elem::f32;
  ovstub::Shape shape;
  std::vector<unsigned char> own;
  void* host = nullptr;
  size_t capacity = 0;  // bytes available at host
  void* data() { return host ? host : own.data(); }
  size_t byte_size() const;
  void set_shape(const ovstub::Shape& s);
};
// A tensor of `e` and shape `s` owning zeroed storage.
std::shared_ptr<StubTensor> make_tensor(ovstub::Elem e, const ovstub::Shape& s);
struct ov_infer_request {
  std::shared_ptr<struct StubRequest> obj;
};
