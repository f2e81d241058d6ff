/* Shared helpers for the stand-in's C tests: checks, temp folders, and a tiny IR v11 writer. */
#pragma once
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ov_c_api.h"

/* ov_element_type_e F32 in the stand-in's default release (2025.4: numbered as from 2025.1). */
#define TEST_F32 4

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    ++g_checks;                                                       \
    if (!(cond)) {                                                    \
      ++g_failures;                                                   \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

#define CHECK_OK(call)                                                                    \
  do {                                                                                    \
    ov_status_e st_ = (call);                                                             \
    ++g_checks;                                                                           \
    if (st_ != OK) {                                                                      \
      const char* m_ = ov_get_last_err_msg();                                             \
      ++g_failures;                                                                       \
      fprintf(stderr, "FAIL %s:%d: %s -> %d (%s)\n", __FILE__, __LINE__, #call, (int)st_, \
              m_ ? m_ : "no message");                                                    \
      ov_free(m_);                                                                        \
    }                                                                                     \
  } while (0)

#define CHECK_STATUS(call, expect)                                                                \
  do {                                                                                            \
    ov_status_e st_ = (call);                                                                     \
    ++g_checks;                                                                                   \
    if (st_ != (expect)) {                                                                        \
      ++g_failures;                                                                               \
      fprintf(stderr, "FAIL %s:%d: %s -> %d, expected %d\n", __FILE__, __LINE__, #call, (int)st_, \
              (int)(expect));                                                                     \
    }                                                                                             \
  } while (0)

static inline int finish(const char* name) {
  printf("%s: %d checks, %d failures\n", name, g_checks, g_failures);
  return g_failures ? 1 : 0;
}

/* Last error contains `needle`. */
static inline int last_error_has(const char* needle) {
  const char* m = ov_get_last_err_msg();
  int ok = m && strstr(m, needle) != NULL;
  if (!ok) fprintf(stderr, "  last error: %s (wanted '%s')\n", m ? m : "(null)", needle);
  ov_free(m);
  return ok;
}

static inline char* make_temp_dir(void) {
  const char* base = getenv("TMPDIR");
  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/ovstub-test-XXXXXX", base && *base ? base : "/tmp");
  char* d = mkdtemp(tmpl);
  return d ? strdup(d) : NULL;
}

static inline void remove_tree(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) return;
  struct dirent* e;
  char p[8192];
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
      remove_tree(p);
    else
      unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

/* Number of *.blob files in dir; the first one's path is copied to `first` if given. */
static inline int count_blobs(const char* dir, char* first, size_t n) {
  DIR* d = opendir(dir);
  if (!d) return 0;
  struct dirent* e;
  int c = 0;
  while ((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    if (l > 5 && !strcmp(e->d_name + l - 5, ".blob")) {
      if (c == 0 && first) snprintf(first, n, "%s/%s", dir, e->d_name);
      ++c;
    }
  }
  closedir(d);
  return c;
}

static inline long file_size(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static inline char* read_all(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* b = (char*)malloc((size_t)n + 1);
  size_t got = fread(b, 1, (size_t)n, f);
  fclose(f);
  b[got] = 0;
  if (size) *size = got;
  return b;
}

static inline void write_text(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

/* ---- a tiny IR v11 writer ------------------------------------------------------------- */
typedef struct {
  char* xml;
  size_t len, cap;
  char edges[16384];
  float* bin;
  size_t bin_n, bin_cap;
  int next_id;
} ir_t;

static inline void ir_add(ir_t* ir, const char* fmt, ...) {
  char buf[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (ir->len + (size_t)n + 1 > ir->cap) {
    ir->cap = (ir->len + (size_t)n + 1) * 2;
    ir->xml = (char*)realloc(ir->xml, ir->cap);
  }
  memcpy(ir->xml + ir->len, buf, (size_t)n + 1);
  ir->len += (size_t)n;
}

static inline void ir_dims(ir_t* ir, const char* shape) {
  char s[256];
  snprintf(s, sizeof s, "%s", shape);
  for (char* t = strtok(s, ","); t; t = strtok(NULL, ",")) {
    ir_add(ir, "\t\t\t\t\t<dim>%s</dim>\n", (!strcmp(t, "?") || strstr(t, "..")) ? "-1" : t);
  }
}

static inline void ir_begin(ir_t* ir, const char* name) {
  memset(ir, 0, sizeof *ir);
  ir_add(ir, "<?xml version=\"1.0\"?>\n<net name=\"%s\" version=\"11\">\n\t<layers>\n", name);
}

static inline int ir_param(ir_t* ir, const char* name, const char* shape) {
  int id = ir->next_id++;
  ir_add(ir, "\t\t<layer id=\"%d\" name=\"%s\" type=\"Parameter\" version=\"opset1\">\n", id, name);
  ir_add(ir, "\t\t\t<data shape=\"%s\" element_type=\"f32\" />\n\t\t\t<output>\n", shape);
  ir_add(ir, "\t\t\t\t<port id=\"0\" precision=\"FP32\" names=\"%s\">\n", name);
  ir_dims(ir, shape);
  ir_add(ir, "\t\t\t\t</port>\n\t\t\t</output>\n\t\t</layer>\n");
  return id;
}

static inline int ir_const(ir_t* ir, const char* name, const char* shape, const float* data,
                           size_t n) {
  int id = ir->next_id++;
  size_t off = ir->bin_n * sizeof(float);
  if (ir->bin_n + n > ir->bin_cap) {
    ir->bin_cap = (ir->bin_n + n) * 2;
    ir->bin = (float*)realloc(ir->bin, ir->bin_cap * sizeof(float));
  }
  memcpy(ir->bin + ir->bin_n, data, n * sizeof(float));
  ir->bin_n += n;
  ir_add(ir, "\t\t<layer id=\"%d\" name=\"%s\" type=\"Const\" version=\"opset1\">\n", id, name);
  ir_add(ir,
         "\t\t\t<data element_type=\"f32\" shape=\"%s\" offset=\"%zu\" size=\"%zu\" />\n"
         "\t\t\t<output>\n\t\t\t\t<port id=\"0\" precision=\"FP32\">\n",
         shape, off, n * sizeof(float));
  ir_dims(ir, shape);
  ir_add(ir, "\t\t\t\t</port>\n\t\t\t</output>\n\t\t</layer>\n");
  return id;
}

static inline void ir_edge(ir_t* ir, int from, int from_port, int to, int to_port) {
  size_t l = strlen(ir->edges);
  snprintf(ir->edges + l, sizeof ir->edges - l,
           "\t\t<edge from-layer=\"%d\" from-port=\"%d\" to-layer=\"%d\" to-port=\"%d\" />\n", from,
           from_port, to, to_port);
}

/* Op with inputs a (shape sa) [and b (shape sb)], output shape so; out port id = n inputs.
 * `data` is the <data .../> line or NULL; `names` tags the output tensor or NULL. */
static inline int ir_op(ir_t* ir, const char* type, const char* name, const char* data, int a,
                        const char* sa, int b, const char* sb, const char* so, const char* names) {
  int id = ir->next_id++;
  ir_add(ir, "\t\t<layer id=\"%d\" name=\"%s\" type=\"%s\" version=\"opset1\">\n", id, name, type);
  if (data) ir_add(ir, "\t\t\t%s\n", data);
  ir_add(ir, "\t\t\t<input>\n\t\t\t\t<port id=\"0\" precision=\"FP32\">\n");
  ir_dims(ir, sa);
  ir_add(ir, "\t\t\t\t</port>\n");
  ir_edge(ir, a, 0, id, 0);
  int nin = 1;
  if (b >= 0) {
    ir_add(ir, "\t\t\t\t<port id=\"1\" precision=\"FP32\">\n");
    ir_dims(ir, sb);
    ir_add(ir, "\t\t\t\t</port>\n");
    nin = 2;
  }
  ir_add(ir, "\t\t\t</input>\n");
  if (so) {
    if (names)
      ir_add(ir, "\t\t\t<output>\n\t\t\t\t<port id=\"%d\" precision=\"FP32\" names=\"%s\">\n", nin,
             names);
    else
      ir_add(ir, "\t\t\t<output>\n\t\t\t\t<port id=\"%d\" precision=\"FP32\">\n", nin);
    ir_dims(ir, so);
    ir_add(ir, "\t\t\t\t</port>\n\t\t\t</output>\n");
  }
  ir_add(ir, "\t\t</layer>\n");
  return id;
}

/* Edges from op outputs use the producer's output port id: Parameter/Const 0, binary ops 2,
 * unary ops 1. The writer records edges with port 0 above, so fix them here. */
static inline void ir_fix_edge_ports(ir_t* ir, const int* out_port_of_id) {
  char fixed[16384] = "";
  char* save = NULL;
  char copy[16384];
  snprintf(copy, sizeof copy, "%s", ir->edges);
  for (char* line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    int from, fp, to, tp;
    if (sscanf(line, "\t\t<edge from-layer=\"%d\" from-port=\"%d\" to-layer=\"%d\" to-port=\"%d\"",
               &from, &fp, &to, &tp) == 4) {
      size_t l = strlen(fixed);
      snprintf(fixed + l, sizeof fixed - l,
               "\t\t<edge from-layer=\"%d\" from-port=\"%d\" to-layer=\"%d\" to-port=\"%d\" />\n",
               from, out_port_of_id[from], to, tp);
    }
  }
  snprintf(ir->edges, sizeof ir->edges, "%s", fixed);
}

static inline void ir_write(ir_t* ir, const char* dir, const char* base, char* xml_path, size_t n) {
  char bin_path[4096];
  snprintf(xml_path, n, "%s/%s.xml", dir, base);
  snprintf(bin_path, sizeof bin_path, "%s/%s.bin", dir, base);
  FILE* f = fopen(xml_path, "wb");
  fprintf(f, "%s\t</layers>\n\t<edges>\n%s\t</edges>\n\t<rt_info />\n</net>\n", ir->xml, ir->edges);
  fclose(f);
  f = fopen(bin_path, "wb");
  if (ir->bin_n) fwrite(ir->bin, sizeof(float), ir->bin_n, f);
  fclose(f);
  free(ir->xml);
  free(ir->bin);
  memset(ir, 0, sizeof *ir);
}

/* Deterministic weights shared with scripts/make-fixtures.ts. */
static inline float mlp_w1(int i, int j) { return (float)(((i * 7 + j * 3) % 11) - 5) / 10.0f; }
static inline float mlp_b1(int j) { return (float)((j % 3) - 1) * 0.5f; }
static inline float mlp_w2(int i, int j) { return (float)(((i * 5 + j * 2) % 9) - 4) / 8.0f; }

/* input [1,16] -> MatMul[16,8] + bias -> Relu -> MatMul[8,4] -> Result ("output"). */
static inline void write_mlp(const char* dir, const char* base, char* xml_path, size_t n) {
  ir_t ir;
  float w1[128], b1[8], w2[32];
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j) w1[i * 8 + j] = mlp_w1(i, j);
  for (int j = 0; j < 8; ++j) b1[j] = mlp_b1(j);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) w2[i * 4 + j] = mlp_w2(i, j);
  ir_begin(&ir, "mlp");
  int p = ir_param(&ir, "input", "1,16");
  int c1 = ir_const(&ir, "fc1.weight", "16,8", w1, 128);
  int m1 = ir_op(&ir, "MatMul", "fc1", "<data transpose_a=\"false\" transpose_b=\"false\" />", p,
                 "1,16", c1, "16,8", "1,8", NULL);
  ir_edge(&ir, c1, 0, m1, 1);
  int c2 = ir_const(&ir, "fc1.bias", "1,8", b1, 8);
  int a1 = ir_op(&ir, "Add", "fc1.add", "<data auto_broadcast=\"numpy\" />", m1, "1,8", c2, "1,8",
                 "1,8", NULL);
  ir_edge(&ir, c2, 0, a1, 1);
  int r1 = ir_op(&ir, "Relu", "relu", NULL, a1, "1,8", -1, NULL, "1,8", NULL);
  int c3 = ir_const(&ir, "fc2.weight", "8,4", w2, 32);
  int m2 = ir_op(&ir, "MatMul", "fc2", "<data transpose_a=\"false\" transpose_b=\"false\" />", r1,
                 "1,8", c3, "8,4", "1,4", "output");
  ir_edge(&ir, c3, 0, m2, 1);
  ir_op(&ir, "Result", "output/sink", NULL, m2, "1,4", -1, NULL, NULL, NULL);
  int ports[16] = {0};
  ports[m1] = 2;
  ports[a1] = 2;
  ports[r1] = 1;
  ports[m2] = 2;
  ir_fix_edge_ports(&ir, ports);
  ir_write(&ir, dir, base, xml_path, n);
}

/* Reference for one row of the MLP (batch rows are independent). */
static inline void mlp_reference(const float* in, float* out) {
  float h[8];
  for (int j = 0; j < 8; ++j) {
    float s = 0;
    for (int i = 0; i < 16; ++i) s += in[i] * mlp_w1(i, j);
    s += mlp_b1(j);
    h[j] = s > 0 ? s : 0;
  }
  for (int j = 0; j < 4; ++j) {
    float s = 0;
    for (int i = 0; i < 8; ++i) s += h[i] * mlp_w2(i, j);
    out[j] = s;
  }
}

/* input [1,K] -> MatMul const [K,1] -> Result ("output"); weights ((k % 13) - 6) / 64. */
static inline void write_weights_model(const char* dir, const char* base, size_t bytes,
                                       char* xml_path, size_t n) {
  size_t k = bytes / 4;
  float* w = (float*)malloc(k * sizeof(float));
  for (size_t i = 0; i < k; ++i) w[i] = (float)((int)(i % 13) - 6) / 64.0f;
  char shape_in[64], shape_w[64];
  snprintf(shape_in, sizeof shape_in, "1,%zu", k);
  snprintf(shape_w, sizeof shape_w, "%zu,1", k);
  ir_t ir;
  ir_begin(&ir, base);
  int p = ir_param(&ir, "input", shape_in);
  int c = ir_const(&ir, "weight", shape_w, w, k);
  int m = ir_op(&ir, "MatMul", "matmul", "<data transpose_a=\"false\" transpose_b=\"false\" />", p,
                shape_in, c, shape_w, "1,1", "output");
  ir_edge(&ir, c, 0, m, 1);
  ir_op(&ir, "Result", "output/sink", NULL, m, "1,1", -1, NULL, NULL, NULL);
  int ports[8] = {0};
  ports[m] = 2;
  ir_fix_edge_ports(&ir, ports);
  ir_write(&ir, dir, base, xml_path, n);
  free(w);
}

/* image [1,3,H,W] * scale[1,3,1,1] + bias[1,3,1,1] -> Relu -> Result ("output"). */
static inline void write_image_model(const char* dir, const char* base, const char* shape,
                                     char* xml_path, size_t n) {
  float scale[3] = {1.0f, 1.5f, 2.0f}, bias[3] = {-1.0f, 0.0f, 1.0f};
  ir_t ir;
  ir_begin(&ir, "image");
  int p = ir_param(&ir, "image", shape);
  int c1 = ir_const(&ir, "scale", "1,3,1,1", scale, 3);
  int mu = ir_op(&ir, "Multiply", "mul", "<data auto_broadcast=\"numpy\" />", p, shape, c1,
                 "1,3,1,1", shape, NULL);
  ir_edge(&ir, c1, 0, mu, 1);
  int c2 = ir_const(&ir, "bias", "1,3,1,1", bias, 3);
  int ad = ir_op(&ir, "Add", "add", "<data auto_broadcast=\"numpy\" />", mu, shape, c2, "1,3,1,1",
                 shape, NULL);
  ir_edge(&ir, c2, 0, ad, 1);
  int r = ir_op(&ir, "Relu", "relu", NULL, ad, shape, -1, NULL, shape, "output");
  ir_op(&ir, "Result", "output/sink", NULL, r, shape, -1, NULL, NULL, NULL);
  int ports[16] = {0};
  ports[mu] = 2;
  ports[ad] = 2;
  ports[r] = 1;
  ir_fix_edge_ports(&ir, ports);
  ir_write(&ir, dir, base, xml_path, n);
}

static inline int near(float a, float b) { return fabsf(a - b) <= 1e-4f * (1.0f + fabsf(b)); }

/* Compiles model_path from file with CACHE_DIR=cache_dir (and optional extra pair). */
static inline ov_status_e compile_cached(ov_core_t* core, const char* path, const char* device,
                                         const char* cache_dir, const char* k2, const char* v2,
                                         ov_compiled_model_t** cm) {
  if (k2)
    return ov_core_compile_model_from_file(core, path, device, 4, cm, "CACHE_DIR", cache_dir, k2,
                                           v2);
  return ov_core_compile_model_from_file(core, path, device, 2, cm, "CACHE_DIR", cache_dir);
}

static inline int loaded_from_cache(const ov_compiled_model_t* cm) {
  char* v = NULL;
  if (ov_compiled_model_get_property(cm, "LOADED_FROM_CACHE", &v) != OK) return -1;
  int r = strcmp(v, "YES") == 0 ? 1 : (strcmp(v, "NO") == 0 ? 0 : -2);
  ov_free(v);
  return r;
}
