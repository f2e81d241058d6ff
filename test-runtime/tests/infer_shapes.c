/* Reshape (static, -1, ranges), dynamic inputs, real numbers, async, threads, free order. */
#include <pthread.h>

#include "test_common.h"

static ov_core_t* core;
static char mlp[4096];

static void reshape_errors(void) {
  ov_model_t* m = NULL;
  CHECK_OK(ov_core_read_model(core, mlp, NULL, &m));
  ov_partial_shape_t ps;
  int64_t d3[3] = {1, 1, 16};
  CHECK_OK(ov_partial_shape_create_static(3, d3, &ps));
  CHECK_STATUS(ov_model_reshape_input_by_name(m, "input", ps), GENERAL_ERROR); /* rank */
  CHECK_STATUS(ov_model_reshape_input_by_name(m, "nope", ps), GENERAL_ERROR);  /* name */
  ov_partial_shape_free(&ps);
  int64_t bad[2] = {1, 17};
  CHECK_OK(ov_partial_shape_create_static(2, bad, &ps));
  CHECK_STATUS(ov_model_reshape_input_by_name(m, "input", ps), GENERAL_ERROR); /* MatMul K */
  ov_partial_shape_free(&ps);
  /* dynamic batch via -1, range via min/max */
  ov_dimension_t dims[2] = {{-1, -1}, {16, 16}};
  CHECK_OK(ov_partial_shape_create(2, dims, &ps));
  const char* name = "input";
  CHECK_OK(ov_model_reshape(m, &name, &ps, 1));
  ov_partial_shape_free(&ps);
  CHECK(ov_model_is_dynamic(m));
  ov_output_const_port_t* p = NULL;
  CHECK_OK(ov_model_const_output_by_index(m, 0, &p));
  ov_partial_shape_t out;
  CHECK_OK(ov_port_get_partial_shape(p, &out));
  const char* s = ov_partial_shape_to_string(out);
  CHECK(s && strcmp(s, "{?,4}") == 0);
  ov_free(s);
  ov_partial_shape_free(&out);
  ov_shape_t sh;
  CHECK_STATUS(ov_const_port_get_shape(p, &sh), GENERAL_ERROR);
  char* tn = NULL;
  CHECK_OK(ov_port_get_any_name(p, &tn));
  CHECK(tn && strcmp(tn, "output") == 0);
  ov_free(tn);
  ov_output_const_port_free(p);
  ov_dimension_t r[2] = {{1, 8}, {16, 16}};
  CHECK_OK(ov_partial_shape_create(2, r, &ps));
  CHECK_OK(ov_model_reshape_input_by_name(m, "input", ps));
  s = ov_partial_shape_to_string(ps);
  CHECK(s && strcmp(s, "{1..8,16}") == 0);
  ov_free(s);
  ov_partial_shape_free(&ps);

  /* compile the ranged model, infer with batch 3, then an out-of-range batch 9 */
  ov_compiled_model_t* cm = NULL;
  CHECK_OK(ov_core_compile_model(core, m, "CPU", 0, &cm));
  ov_model_free(m);
  ov_infer_request_t* req = NULL;
  CHECK_OK(ov_compiled_model_create_infer_request(cm, &req));
  ov_compiled_model_free(cm); /* the request keeps it alive */
  for (int batch = 3; batch <= 9; batch += 6) {
    float in[16 * 9];
    for (int i = 0; i < 16 * batch; ++i) in[i] = (float)(i % 5) - 2.0f;
    int64_t d[2] = {batch, 16};
    ov_shape_t ts = {2, d};
    ov_tensor_t* t = NULL;
    CHECK_OK(ov_tensor_create_from_host_ptr(TEST_F32, ts, in, &t));
    CHECK_OK(ov_infer_request_set_input_tensor_by_index(req, 0, t));
    ov_tensor_free(t);
    if (batch == 9) {
      CHECK_STATUS(ov_infer_request_infer(req), GENERAL_ERROR);
      continue;
    }
    CHECK_OK(ov_infer_request_infer(req));
    ov_tensor_t* o = NULL;
    CHECK_OK(ov_infer_request_get_tensor(req, "output", &o));
    ov_shape_t os;
    CHECK_OK(ov_tensor_get_shape(o, &os));
    CHECK(os.rank == 2 && os.dims[0] == batch && os.dims[1] == 4);
    ov_shape_free(&os);
    float* data = NULL;
    CHECK_OK(ov_tensor_data(o, (void**)&data));
    for (int b = 0; b < batch; ++b) {
      float ref[4];
      mlp_reference(in + 16 * b, ref);
      for (int j = 0; j < 4; ++j) CHECK(near(data[b * 4 + j], ref[j]));
    }
    ov_tensor_free(o);
  }
  ov_infer_request_free(req);
}

static void image_model(const char* tmp) {
  char xml[4096];
  write_image_model(tmp, "image", "1,3,32,32", xml, sizeof xml);
  ov_model_t* m = NULL;
  CHECK_OK(ov_core_read_model(core, xml, NULL, &m));
  ov_partial_shape_t ps;
  int64_t d[4] = {1, 3, 8, 6};
  CHECK_OK(ov_partial_shape_create_static(4, d, &ps));
  CHECK_OK(ov_model_reshape_input_by_name(m, "image", ps));
  ov_partial_shape_free(&ps);
  ov_compiled_model_t* cm = NULL;
  CHECK_OK(ov_core_compile_model(core, m, "CPU", 0, &cm));
  ov_infer_request_t* req = NULL;
  CHECK_OK(ov_compiled_model_create_infer_request(cm, &req));
  ov_tensor_t* in = NULL;
  CHECK_OK(ov_infer_request_get_tensor(req, "image", &in));
  float* x = NULL;
  CHECK_OK(ov_tensor_data(in, (void**)&x));
  for (int i = 0; i < 3 * 8 * 6; ++i) x[i] = (float)(i % 7) - 3.0f;
  CHECK_OK(ov_infer_request_start_async(req));
  CHECK_OK(ov_infer_request_wait(req));
  ov_tensor_t* out = NULL;
  CHECK_OK(ov_infer_request_get_output_tensor_by_index(req, 0, &out));
  float* y = NULL;
  CHECK_OK(ov_tensor_data(out, (void**)&y));
  const float scale[3] = {1.0f, 1.5f, 2.0f}, bias[3] = {-1.0f, 0.0f, 1.0f};
  for (int i = 0; i < 3 * 8 * 6; ++i) {
    int c = i / 48;
    float e = x[i] * scale[c] + bias[c];
    CHECK(near(y[i], e > 0 ? e : 0));
  }
  size_t bytes = 0;
  CHECK_OK(ov_tensor_get_byte_size(out, &bytes));
  CHECK(bytes == 3 * 8 * 6 * 4);
  ov_tensor_free(in);
  ov_tensor_free(out);
  ov_infer_request_free(req);
  ov_compiled_model_free(cm);
  ov_model_free(m);
}

static const ov_compiled_model_t* g_cm;
static void* worker(void* arg) {
  (void)arg;
  for (int k = 0; k < 20; ++k) {
    ov_infer_request_t* req = NULL;
    if (ov_compiled_model_create_infer_request(g_cm, &req) != OK) return (void*)1;
    float in[16], ref[4];
    for (int i = 0; i < 16; ++i) in[i] = (float)(k + i) / 10.0f;
    int64_t d[2] = {1, 16};
    ov_tensor_t* t = NULL;
    ov_tensor_create_from_host_ptr(TEST_F32, (ov_shape_t){2, d}, in, &t);
    ov_infer_request_set_tensor(req, "input", t);
    ov_status_e st = ov_infer_request_infer(req);
    ov_tensor_t* o = NULL;
    ov_infer_request_get_output_tensor_by_index(req, 0, &o);
    float* data = NULL;
    ov_tensor_data(o, (void**)&data);
    mlp_reference(in, ref);
    int ok = st == OK && near(data[0], ref[0]) && near(data[3], ref[3]);
    ov_tensor_free(o);
    ov_tensor_free(t);
    ov_infer_request_free(req);
    if (!ok) return (void*)1;
  }
  return NULL;
}

int main(void) {
  char* tmp = make_temp_dir();
  write_mlp(tmp, "mlp", mlp, sizeof mlp);
  CHECK_OK(ov_core_create(&core));
  reshape_errors();
  image_model(tmp);

  /* concurrent compiles (same cache) and inferences from several threads */
  char cache[4096];
  snprintf(cache, sizeof cache, "%s/cache", tmp);
  ov_compiled_model_t* cm = NULL;
  CHECK_OK(compile_cached(core, mlp, "CPU", cache, NULL, NULL, &cm));
  g_cm = cm;
  pthread_t th[4];
  for (int i = 0; i < 4; ++i) pthread_create(&th[i], NULL, worker, NULL);
  for (int i = 0; i < 4; ++i) {
    void* r = NULL;
    pthread_join(th[i], &r);
    CHECK(r == NULL);
  }
  ov_core_free(core); /* compiled model outlives the core */
  ov_compiled_model_free(cm);
  remove_tree(tmp);
  free(tmp);
  return finish("infer_shapes");
}
