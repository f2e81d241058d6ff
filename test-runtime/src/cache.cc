// CACHE_DIR: blob ids, the <compiled_blob .../> header, blob read/write/invalidation, the
// compiled payload (shared by cache blobs and export/import), simulated costs and faults.
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <sstream>

#include "stub.h"

namespace ovstub {
namespace {
const char kMagic[8] = {'O', 'V', 'S', 'T', 'U', 'B', 'C', 'M'};
const uint32_t kFormat = 1;
const char* kWhere = "src/inference/src/dev/core_impl.cpp";

const std::vector<unsigned char>& pad_chunk() {
  static const std::vector<unsigned char> chunk = [] {
    std::vector<unsigned char> c(1 << 20);
    uint64_t x = 0x243F6A8885A308D3ULL;
    for (auto& b : c) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<unsigned char>(x >> 56);
    }
    return c;
  }();
  return chunk;
}

std::string serialize_cfg(const Config& cfg) {
  std::string s;
  for (const auto& kv : cfg) s += kv.first + "=" + kv.second + "\n";
  return s;
}
Config parse_cfg(const std::string& s) {
  Config c;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) c[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return c;
}
std::string serialize_params(const Graph& g) {
  std::string s;
  for (int p : g.params) s += g.nodes[p].shape.to_ir() + "\n";
  return s;
}

struct Layout {
  std::string device, cfg, xml, params, wpath;
  const std::string* bin = nullptr;
  uint64_t pad = 0;
  bool weightless = false;
  uint64_t body_len() const {
    return 8 * 7 + device.size() + cfg.size() + xml.size() + params.size() + 1 + wpath.size() +
           (weightless ? 0 : bin->size()) + pad;
  }
  uint64_t total() const { return 8 + 4 + 8 + body_len() + 8; }
};

// Export writes the stream a cache blob holds (core_impl.cpp writes cache blobs with
// export_model), so a model compiled weightless exports a weightless payload too.
Layout layout_of(const Compiled& c) {
  Layout l;
  l.device = c.device;
  l.cfg = serialize_cfg(c.cfg);
  l.xml = c.g.xml_text;
  l.params = serialize_params(c.g);
  l.bin = c.g.weights.get();
  // Weights stay out of a cache blob only when they can be mapped back from a .bin.
  l.weightless = weightless_enabled(c.device, c.cfg) && !c.g.bin_path.empty();
  if (l.weightless) l.wpath = c.g.bin_path;
  double factor = env_num("OV_STUB_BLOB_FACTOR", 3.5);
  double target = static_cast<double>(c.g.weight_bytes()) * factor;
  double have = l.weightless ? 0 : static_cast<double>(l.bin->size());
  if (!l.weightless && target > have) l.pad = static_cast<uint64_t>(target - have);
  return l;
}

// Emits the payload through `put`, hashing the body.
template <typename Put>
void emit(const Layout& l, Put&& put) {
  Hasher h;
  auto body = [&](const void* p, size_t n) {
    h.bytes(p, n);
    put(p, n);
  };
  auto u64 = [&](uint64_t v) { body(&v, 8); };
  auto str = [&](const std::string& s) {
    u64(s.size());
    body(s.data(), s.size());
  };
  put(kMagic, 8);
  put(&kFormat, 4);
  uint64_t bl = l.body_len();
  put(&bl, 8);
  str(l.device);
  str(l.cfg);
  str(l.xml);
  str(l.params);
  unsigned char w = l.weightless ? 1 : 0;
  body(&w, 1);
  str(l.wpath);
  if (l.weightless) {
    u64(0);
  } else {
    str(*l.bin);
  }
  u64(l.pad);
  const auto& chunk = pad_chunk();
  for (uint64_t left = l.pad; left > 0;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    body(chunk.data(), n);
    left -= n;
  }
  uint64_t sum = h.done();
  put(&sum, 8);
}

struct Reader {
  const char* p;
  size_t n, i = 0;
  void need(size_t k) {
    if (n - i < k) throw std::runtime_error("payload is truncated");
  }
  uint64_t u64() {
    need(8);
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    i += 8;
    return v;
  }
  std::string str() {
    uint64_t len = u64();
    need(len);
    std::string s(p + i, len);
    i += len;
    return s;
  }
};

// `from_cache`: a cache load, where core_impl.cpp hands the plugin WEIGHTS_PATH / the model for
// a weightless blob. ov_core_import_model passes no properties, so its import of one fails.
std::shared_ptr<Compiled> parse_payload(const char* data, size_t size, bool from_cache) {
  if (size < 28 || std::memcmp(data, kMagic, 8) != 0)
    throw std::runtime_error("not a compiled model of this runtime (bad magic)");
  uint32_t fmt;
  std::memcpy(&fmt, data + 8, 4);
  if (fmt != kFormat) throw std::runtime_error("unsupported payload format");
  uint64_t bl;
  std::memcpy(&bl, data + 12, 8);
  if (bl != size - 28) throw std::runtime_error("payload length mismatch (truncated or padded)");
  Hasher h;
  h.bytes(data + 20, bl);
  uint64_t sum;
  std::memcpy(&sum, data + 20 + bl, 8);
  if (sum != h.done()) throw std::runtime_error("payload checksum mismatch");
  Reader r{data + 20, bl};
  auto c = std::make_shared<Compiled>();
  c->device = r.str();
  c->cfg = parse_cfg(r.str());
  std::string xml = r.str();
  std::string params = r.str();
  r.need(1);
  bool weightless = r.p[r.i++] != 0;
  c->weights_path = r.str();
  auto bin = std::make_shared<std::string>(r.str());
  if (weightless && !from_cache)
    throw std::runtime_error(
        "the compiled blob is weightless: importing it needs WEIGHTS_PATH or the model, which "
        "ov_core_import_model cannot pass");
  if (weightless) {
    int fd = ::open(c->weights_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("weights file " + c->weights_path + " cannot be opened");
    struct stat st;
    ::fstat(fd, &st);
    bin->resize(static_cast<size_t>(st.st_size));
    ssize_t got = st.st_size ? ::read(fd, &(*bin)[0], bin->size()) : 0;
    ::close(fd);
    if (got != st.st_size) throw std::runtime_error("cannot read " + c->weights_path);
    c->mapped_bytes = bin->size();
  }
  c->g = read_ir(xml, bin, "<compiled blob>");
  c->g.bin_path = c->weights_path;
  std::stringstream ss(params);
  std::string line;
  for (int p : c->g.params) {
    if (!std::getline(ss, line)) throw std::runtime_error("parameter shapes missing");
    c->g.nodes[p].shape = parse_ir_shape(line);
  }
  c->g.infer_shapes();
  return c;
}

std::string file_info(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  Hasher h;
  h.str(path);
  int64_t mt = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  int64_t sz = st.st_size;
  h.bytes(&mt, 8);
  h.bytes(&sz, 8);
  return std::to_string(h.done());
}

std::string header_line(const std::string& finfo, const std::string& device) {
  return "<compiled_blob ie_version=\"" + build_number() + "\" file_info=\"" + finfo +
         "\" runtime_info=\"device=" + device + ";stub=1\"/>\n";
}

void mkdirs(const std::string& dir) {
  std::string cur;
  std::stringstream ss(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') cur = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += part + "/";
    ::mkdir(cur.c_str(), 0755);
  }
}

// Writes header + payload in place (truncate + write), then makes the file read-only.
// Returns "" on success, else the error text. Fault knobs act here.
std::string write_blob(const std::string& path, const std::string& header, const Layout& l) {
  double t0 = now_ms();
  bool enospc = fail_mode("write-enospc") || fail_mode("write-enospc-fatal");
  bool shortw = fail_mode("write-short");
  bool corrupt = fail_mode("write-corrupt");
  double slow = env_num("OV_STUB_SLOW_WRITE_MS", 0);
  uint64_t total = header.size() + l.total();
  uint64_t half = total / 2;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::string err = std::string("cannot open ") + path + ": " + std::strerror(errno);
    log_event("blob_write", {lf("blob", path), lf("bytes", 0.0), lf("ms", now_ms() - t0),
                             LogField{"ok", "false", false}, lf("error", err)});
    return err;
  }
  uint64_t written = 0;
  bool stopped = false, slept = false;
  std::string err;
  std::vector<unsigned char> tmp;
  auto put = [&](const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    while (n > 0 && !stopped) {
      size_t k = n;
      if (written < half && written + k > half) k = static_cast<size_t>(half - written);
      if (written >= half) {
        if (slow > 0 && !slept) {
          slept = true;
          sleep_ms(slow);
        }
        if (enospc) {
          err = std::string("write to ") + path + " failed: " + std::strerror(ENOSPC);
          stopped = true;
          return;
        }
        if (shortw) {
          stopped = true;
          return;
        }
      }
      const unsigned char* src = b;
      if (corrupt && written <= half && written + k > half) {
        tmp.assign(b, b + k);
        tmp[static_cast<size_t>(half - written)] ^= 0x5A;
        src = tmp.data();
      }
      ssize_t w = ::write(fd, src, k);
      if (w <= 0) {
        if (w < 0 && errno == EINTR) continue;
        err = std::string("write to ") + path + " failed: " + std::strerror(errno);
        stopped = true;
        return;
      }
      written += static_cast<uint64_t>(w);
      b += w;
      n -= static_cast<size_t>(w);
    }
  };
  put(header.data(), header.size());
  emit(l, put);
  ::fchmod(fd, 0444);
  ::close(fd);
  log_event("blob_write",
            {lf("blob", path), lf("bytes", static_cast<double>(written)),
             lf("expected", static_cast<double>(total)), lf("ms", now_ms() - t0),
             LogField{"ok", err.empty() ? "true" : "false", false}, lf("error", err)});
  return err;
}

void remove_blob(const std::string& path, const std::string& reason) {
  ::unlink(path.c_str());
  log_event("blob_remove", {lf("blob", path), lf("reason", reason)});
}

std::string abs_path(const std::string& p) {
  if (!p.empty() && p[0] == '/') return p;
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return p;
  return std::string(buf) + "/" + p;
}

std::shared_ptr<Compiled> try_load(const std::string& path, const std::string& finfo) {
  blob_open_delay(path);
  double t0 = now_ms();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  ::fstat(fd, &st);
  size_t size = static_cast<size_t>(st.st_size);
  std::string reason;
  std::shared_ptr<Compiled> c;
  void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);
  if (fail_mode("read-eio")) {
    reason = "read failed: " + std::string(std::strerror(EIO));
  } else if (map == MAP_FAILED) {
    reason = size ? "mmap failed" : "empty blob";
  } else {
    const char* d = static_cast<const char*>(map);
    const char* nl = static_cast<const char*>(std::memchr(d, '\n', std::min<size_t>(size, 65536)));
    try {
      if (!nl) throw std::runtime_error("no <compiled_blob> header line");
      auto hdr = parse_xml(std::string(d, nl));
      const std::string* v = hdr->attr("ie_version");
      const std::string* fi = hdr->attr("file_info");
      if (hdr->name != "compiled_blob" || !v || !fi)
        throw std::runtime_error("bad <compiled_blob> header");
      if (*v != build_number())
        throw std::runtime_error("ie_version " + *v + " != " + build_number());
      if (*fi != finfo) throw std::runtime_error("file_info changed (model file modified)");
      size_t off = static_cast<size_t>(nl - d) + 1;
      c = parse_payload(d + off, size - off, true);
    } catch (const std::exception& e) {
      reason = e.what();
      c.reset();
    }
  }
  if (map != MAP_FAILED) ::munmap(map, size);
  log_event("blob_read", {lf("blob", path), lf("bytes", static_cast<double>(size)),
                          lf("ms", now_ms() - t0), LogField{"ok", c ? "true" : "false", false}});
  if (!c) {
    log_event("blob_reject", {lf("blob", path), lf("reason", reason)});
    remove_blob(path, reason);
    return nullptr;
  }
  // A weightless import pays for the weights it reads from the .bin as for blob bytes.
  sleep_ms(static_cast<double>(size + c->mapped_bytes) / (1 << 20) *
           env_num("OV_STUB_IMPORT_MS_PER_MB", 1.5));
  c->loaded_from_cache = true;
  log_event("import", {lf("blob", path), lf("bytes", static_cast<double>(size)),
                       lf("device", c->device), lf("ms", now_ms() - t0)});
  return c;
}
}  // namespace

std::shared_ptr<Compiled> compile_plain(const std::string& device, const Config& cfg, Graph g) {
  if (fail_mode("compile"))
    throw OvError("src/plugins/intel_cpu/src/plugin.cpp",
                  "[ GENERAL_ERROR ] compile failed (OV_STUB_FAIL=compile)");
  double t0 = now_ms();
  double mb = static_cast<double>(g.weight_bytes()) / (1 << 20);
  sleep_ms(env_num("OV_STUB_COMPILE_MS", 3) + mb * env_num("OV_STUB_COMPILE_MS_PER_MB", 15));
  compile_gate();
  auto c = std::make_shared<Compiled>();
  c->device = device;
  c->cfg = cfg;
  c->g = std::move(g);
  c->weights_path = c->g.bin_path;
  log_event("compile", {lf("device", device), lf("model", c->g.name),
                        lf("weight_bytes", static_cast<double>(c->g.weight_bytes())),
                        lf("ms", now_ms() - t0)});
  return c;
}

std::shared_ptr<Compiled> compile_with_cache(Core& core, const std::string& device,
                                             const Config& cfg, const std::string& model_path,
                                             const Graph* model_graph) {
  auto cd = cfg.find("CACHE_DIR");
  std::string cache_dir = cd == cfg.end() ? "" : cd->second;
  std::string apath = model_path.empty() ? "" : abs_path(model_path);
  auto load_graph = [&]() -> Graph {
    if (model_graph) return *model_graph;
    double t0 = now_ms();
    auto g = read_model_files(apath, "");
    log_event("read_model",
              {lf("path", apath), lf("weight_bytes", static_cast<double>(g->weight_bytes())),
               lf("ms", now_ms() - t0)});
    return *g;
  };
  if (cache_dir.empty()) return compile_plain(device, cfg, load_graph());

  Hasher h;
  h.str(device);
  for (const auto& k : caching_keys(device)) {
    h.str(k);
    h.str(device_property(device, cfg, k));
  }
  if (!model_graph) {
    h.str("path");
    h.str(apath);
  } else {
    h.str("model");
    const Graph& g = *model_graph;
    for (const auto& n : g.nodes) {
      h.str(n.type);
      h.str(n.name);
      for (const auto& a : n.attrs) {
        h.str(a.first);
        h.str(a.second);
      }
      for (int in : n.inputs) h.bytes(&in, sizeof in);
      h.str(n.shape.to_ir());
      for (const auto& nm : n.names) h.str(nm);
      if (n.type == "Const") h.bytes(g.weights->data() + n.offset, static_cast<size_t>(n.size));
    }
  }
  std::string id = std::to_string(h.done());
  mkdirs(cache_dir);
  std::string blob = cache_dir + (cache_dir.back() == '/' ? "" : "/") + id + ".blob";
  auto guard = core.blob_guard(id);
  std::lock_guard<std::mutex> lock(*guard);
  std::string finfo = model_graph ? "" : file_info(apath);
  if (auto c = try_load(blob, finfo)) return c;

  auto c = compile_plain(device, cfg, load_graph());
  Layout l = layout_of(*c);
  std::string err = write_blob(blob, header_line(finfo, device), l);
  if (!err.empty()) {
    if (fail_mode("write-enospc-fatal"))
      throw OvError(kWhere, "Failed to write the compiled blob " + blob + ": " + err);
    remove_blob(blob, "write failed: " + err);
  }
  return c;
}

void export_payload(const Compiled& c, const std::string& path) {
  double t0 = now_ms();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  // ov_compiled_model.cpp: a file that does not open is a bare GENERAL_ERROR, no text.
  if (fd < 0) throw BareStatus{GENERAL_ERROR};
  Layout l = layout_of(c);
  uint64_t written = 0;
  emit(l, [&](const void* p, size_t n) {
    ssize_t w = ::write(fd, p, n);  // like the C layer: short writes are not checked
    if (w > 0) written += static_cast<uint64_t>(w);
  });
  ::close(fd);
  log_event("export",
            {lf("path", path), lf("bytes", static_cast<double>(written)), lf("ms", now_ms() - t0)});
}

std::shared_ptr<Compiled> import_payload(const char* data, size_t size, const std::string& device) {
  double t0 = now_ms();
  std::shared_ptr<Compiled> c;
  try {
    c = parse_payload(data, size, false);
  } catch (const std::exception& e) {
    throw OvError(
        "src/plugins/intel_cpu/src/plugin.cpp",
        std::string("[ GENERAL_ERROR ] Cannot import the model on ") + device + ": " + e.what());
  }
  if (c->device != device)
    throw OvError("src/plugins/intel_cpu/src/plugin.cpp",
                  "[ GENERAL_ERROR ] The model was compiled for " + c->device + ", not " + device);
  sleep_ms(static_cast<double>(size) / (1 << 20) * env_num("OV_STUB_IMPORT_MS_PER_MB", 1.5));
  // The CPU plugin's import (plugin.cpp deserialize_model) sets loaded_from_cache only from the
  // config core_impl passes on a cache load; a plain import reads LOADED_FROM_CACHE = NO.
  c->loaded_from_cache = false;
  log_event("import", {lf("blob", "<memory>"), lf("bytes", static_cast<double>(size)),
                       lf("device", device), lf("ms", now_ms() - t0)});
  return c;
}
}  // namespace ovstub
