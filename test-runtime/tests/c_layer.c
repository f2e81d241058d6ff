/* The stand-in refuses and accepts exactly what upstream's C layer does (src/bindings/c/src/ files,
 * common.h), case by case: the rows of the table in test-runtime/README.md. */
#include <stdint.h>

#include "test_common.h"

static const char* g_fixtures;

static void path_of(char* out, size_t n, const char* file) {
  snprintf(out, n, "%s/%s", g_fixtures, file);
}

/* ov_partial_shape.cpp, ov_dimension.cpp, ov_rank.cpp, ov_shape.cpp */
static void shapes(void) {
  ov_partial_shape_t ps = {{0, 0}, NULL};
  ov_dimension_t dyn[2] = {{-1, -1}, {16, 16}};
  CHECK_OK(ov_partial_shape_create(2, dyn, &ps));
  CHECK(ps.rank.min == 2 && ps.rank.max == 2 && ps.dims && ps.dims[0].min == -1);
  const char* text = ov_partial_shape_to_string(ps);
  CHECK(text && strcmp(text, "{?,16}") == 0);
  ov_free(text);
  ov_partial_shape_free(&ps);
  /* check_dimension: {0,-1} and {4,-1} fail max >= min; bounds below -1 fail */
  ov_dimension_t zero_open[1] = {{0, -1}}, low_open[1] = {{4, -1}}, low2[1] = {{-2, 3}};
  CHECK_STATUS(ov_partial_shape_create(1, zero_open, &ps), INVALID_C_PARAM);
  CHECK_STATUS(ov_partial_shape_create(1, low_open, &ps), INVALID_C_PARAM);
  CHECK_STATUS(ov_partial_shape_create(1, low2, &ps), INVALID_C_PARAM);
  CHECK_STATUS(ov_partial_shape_create(0, dyn, &ps), INVALID_C_PARAM); /* rank <= 0 */
  CHECK_STATUS(ov_partial_shape_create(1, NULL, &ps), INVALID_C_PARAM);
  /* a lower bound with no upper one: {n, INT64_MAX} (Interval::s_max) passes and prints n.. */
  ov_dimension_t low_max[1] = {{4, INT64_MAX}};
  CHECK_OK(ov_partial_shape_create(1, low_max, &ps));
  text = ov_partial_shape_to_string(ps);
  CHECK(text && strcmp(text, "{4..}") == 0);
  ov_free(text);
  CHECK(ov_partial_shape_is_dynamic(ps));
  ov_partial_shape_free(&ps);
  /* create_static: rank 0 with a non-NULL pointer is fine, a 0 dim is refused */
  int64_t sd[2] = {3, 0};
  CHECK_OK(ov_partial_shape_create_static(0, sd, &ps));
  CHECK(ov_rank_is_dynamic(ps.rank)); /* static only when min == max && max > 0 */
  ov_partial_shape_free(&ps);
  CHECK_STATUS(ov_partial_shape_create_static(0, NULL, &ps), INVALID_C_PARAM);
  CHECK_STATUS(ov_partial_shape_create_static(2, sd, &ps), INVALID_C_PARAM);
  ov_partial_shape_free(&ps); /* upstream leaves the allocation in place */
  /* create_dynamic */
  CHECK_OK(ov_partial_shape_create_dynamic((ov_rank_t){-1, -1}, NULL, &ps));
  CHECK(ps.dims == NULL);
  text = ov_partial_shape_to_string(ps);
  CHECK(text && strcmp(text, "?") == 0);
  ov_free(text);
  CHECK_STATUS(ov_partial_shape_create_dynamic((ov_rank_t){3, 2}, NULL, &ps), INVALID_C_PARAM);
  CHECK_STATUS(ov_partial_shape_create_dynamic((ov_rank_t){2, 2}, NULL, &ps), INVALID_C_PARAM);
  /* by value; {0,0} counts as dynamic */
  CHECK(ov_dimension_is_dynamic((ov_dimension_t){0, 0}));
  CHECK(!ov_dimension_is_dynamic((ov_dimension_t){3, 3}));
  CHECK(!ov_rank_is_dynamic((ov_rank_t){2, 2}));
  /* to_shape */
  ov_shape_t sh = {0, NULL};
  CHECK_STATUS(ov_partial_shape_to_shape((ov_partial_shape_t){{-1, -1}, NULL}, &sh),
               PARAMETER_MISMATCH);
  ov_dimension_t st[2] = {{2, 2}, {5, 5}};
  CHECK_OK(ov_partial_shape_to_shape((ov_partial_shape_t){{2, 2}, st}, &sh));
  CHECK(sh.rank == 2 && sh.dims[1] == 5);
  CHECK_OK(ov_shape_free(&sh));
  CHECK(sh.dims == NULL && sh.rank == 0);
  /* ov_shape_create refuses rank <= 0 and negative dims */
  int64_t neg[1] = {-1};
  CHECK_STATUS(ov_shape_create(0, NULL, &sh), INVALID_C_PARAM);
  CHECK_STATUS(ov_shape_create(1, neg, &sh), INVALID_C_PARAM);
  CHECK_STATUS(ov_shape_to_partial_shape((ov_shape_t){0, NULL}, &ps), INVALID_C_PARAM);
}

/* ov_model.cpp: partial_shape_convert_to_cpp_object */
static void reshape(ov_core_t* core) {
  char xml[4096];
  path_of(xml, sizeof xml, "mlp.xml");
  ov_model_t* m = NULL;
  CHECK_OK(ov_core_read_model(core, xml, NULL, &m));
  const char* name = "input";
  ov_partial_shape_t ps = {{2, 2}, NULL};
  CHECK_STATUS(ov_model_reshape(m, &name, &ps, 0), INVALID_C_PARAM); /* size < 1 */
  /* a dynamic rank becomes ONE dynamic dimension: rank 1 for a rank-2 input fails */
  ov_partial_shape_t any = {{-1, -1}, NULL};
  CHECK_STATUS(ov_model_reshape_input_by_name(m, "input", any), GENERAL_ERROR);
  CHECK(last_error_has("[?]"));
  /* {4, INT64_MAX} built by hand (no check_dimension there) reads back as {4,-1} */
  ov_dimension_t d[2] = {{4, INT64_MAX}, {16, 16}};
  CHECK_OK(ov_model_reshape(m, &name, &(ov_partial_shape_t){{2, 2}, d}, 1));
  ov_output_const_port_t* p = NULL;
  CHECK_OK(ov_model_const_input_by_index(m, 0, &p));
  ov_partial_shape_t back;
  CHECK_OK(ov_port_get_partial_shape(p, &back));
  CHECK(back.dims && back.dims[0].min == 4 && back.dims[0].max == -1);
  /* what is read ({4,-1}) is not what ov_partial_shape_create takes */
  CHECK_STATUS(ov_partial_shape_create(2, back.dims, &ps), INVALID_C_PARAM);
  ov_partial_shape_free(&back);
  ov_output_const_port_free(p);
  ov_model_free(m);
}

/* ov_infer_request.cpp: the single-port forms */
static void single_port(ov_core_t* core) {
  char xml[4096];
  path_of(xml, sizeof xml, "image.xml");
  ov_compiled_model_t* cm = NULL;
  CHECK_OK(ov_core_compile_model_from_file(core, xml, NULL, 0, &cm)); /* NULL device: default */
  ov_infer_request_t* req = NULL;
  CHECK_OK(ov_compiled_model_create_infer_request(cm, &req));
  static float in[3 * 32 * 32];
  for (int i = 0; i < 3 * 32 * 32; ++i) in[i] = 1.0f;
  int64_t dims[4] = {1, 3, 32, 32};
  ov_tensor_t *t = NULL, *out = NULL;
  CHECK_OK(ov_tensor_create_from_host_ptr(TEST_F32, (ov_shape_t){4, dims}, in, &t));
  CHECK_STATUS(ov_infer_request_set_input_tensor(NULL, t), INVALID_C_PARAM);
  CHECK_OK(ov_infer_request_set_input_tensor(req, t));
  CHECK_OK(ov_infer_request_infer(req));
  CHECK_STATUS(ov_infer_request_get_output_tensor(req, NULL), INVALID_C_PARAM);
  CHECK_OK(ov_infer_request_get_output_tensor(req, &out));
  float* y = NULL;
  CHECK_OK(ov_tensor_data(out, (void**)&y));
  CHECK(y && y[0] == 0.0f && y[1024] == 1.5f && y[2048] == 3.0f); /* relu(1 * scale + bias) */
  ov_tensor_free(out);
  ov_tensor_free(t);
  ov_infer_request_free(req);
  ov_compiled_model_free(cm);
  /* two inputs: the single-input form throws */
  path_of(xml, sizeof xml, "two-inputs.xml");
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm));
  CHECK_OK(ov_compiled_model_create_infer_request(cm, &req));
  CHECK_OK(ov_tensor_create(TEST_F32, (ov_shape_t){2, (int64_t[]){1, 8}}, &t));
  CHECK_STATUS(ov_infer_request_set_input_tensor(req, t), GENERAL_ERROR);
  CHECK(last_error_has("exactly one"));
  ov_tensor_free(t);
  ov_infer_request_free(req);
  ov_compiled_model_free(cm);
}

/* common.h: CATCH_OV_EXCEPTIONS, GET_PROPERTY_FROM_ARGS_LIST; ov_core.cpp: the last error */
static void last_error(void) {
  char xml[4096];
  path_of(xml, sizeof xml, "mlp.xml");
  ov_core_t* core = NULL;
  CHECK_OK(ov_core_create(&core));
  ov_compiled_model_t* cm = NULL;
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "NO_SUCH_DEVICE", 0, &cm), GENERAL_ERROR);
  CHECK(last_error_has("NO_SUCH_DEVICE"));
  /* returns around the try block leave it in place */
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 1, &cm), INVALID_C_PARAM);
  CHECK(last_error_has("NO_SUCH_DEVICE"));
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm));
  CHECK(last_error_has("NO_SUCH_DEVICE")); /* success never clears it */
  /* export into a missing folder: a bare GENERAL_ERROR, the old text stays */
  CHECK_STATUS(ov_compiled_model_export_model(cm, "/nonexistent-ovstub/dir/x.blob"), GENERAL_ERROR);
  CHECK(last_error_has("NO_SUCH_DEVICE"));
  /* a NULL value: std::string(NULL) inside the try block */
  CHECK_STATUS(ov_core_set_property(core, "CPU", "NUM_STREAMS", NULL), UNKNOW_EXCEPTION);
  CHECK(last_error_has("An unknown exception occurred"));
  /* CACHE_ENCRYPTION_CALLBACKS takes a pointer; the stand-in fails without using it */
  int not_callbacks = 0;
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 2, &cm,
                                               "CACHE_ENCRYPTION_CALLBACKS", &not_callbacks),
               GENERAL_ERROR);
  CHECK(last_error_has("ov_encryption_callbacks"));
  /* core level answers CACHE_DIR, ENABLE_MMAP, FORCE_TBB_TERMINATE only */
  char* v = NULL;
  CHECK_OK(ov_core_get_property(core, "", "ENABLE_MMAP", &v));
  ov_free(v);
  CHECK_STATUS(ov_core_get_property(core, "", "SUPPORTED_PROPERTIES", &v), GENERAL_ERROR);
  CHECK(last_error_has("unsupported property"));
  ov_compiled_model_free(cm);
  ov_core_free(core); /* clears the store */
  const char* m = ov_get_last_err_msg();
  CHECK(m == NULL);
  ov_free(m);
}

/* ov_tensor.cpp */
static void tensors(void) {
  ov_tensor_t* t = NULL;
  CHECK_STATUS(ov_tensor_create(999, (ov_shape_t){1, (int64_t[]){2}}, &t), INVALID_C_PARAM);
  CHECK_OK(ov_tensor_create(TEST_F32, (ov_shape_t){0, NULL}, &t)); /* a scalar */
  ov_shape_t sh = {0, NULL};
  CHECK_OK(ov_tensor_get_shape(t, &sh));
  CHECK(sh.rank == 0 && sh.dims == NULL); /* ov_shape_create(0) refused: left as initialised */
  size_t n = 0;
  CHECK_OK(ov_tensor_get_size(t, &n));
  CHECK(n == 1);
  ov_tensor_free(t);
}

/* IR reader: op types are case-insensitive (create_insensitive) */
static void op_case(ov_core_t* core) {
  char xml[4096];
  path_of(xml, sizeof xml, "typed-f32-mixed-case.xml");
  ov_model_t* m = NULL;
  CHECK_OK(ov_core_read_model(core, xml, NULL, &m));
  ov_model_free(m);
}

int main(void) {
  g_fixtures = getenv("OVC_FIXTURES");
  if (!g_fixtures) {
    fprintf(stderr, "set OVC_FIXTURES to the fixtures folder (npm run build:fixtures)\n");
    return 2;
  }
  ov_core_t* core = NULL;
  CHECK_OK(ov_core_create(&core));
  shapes();
  reshape(core);
  single_port(core);
  tensors();
  op_case(core);
  ov_core_free(core);
  last_error();
  return finish("c_layer");
}
