/* Error paths: files, XML, weights, properties, C arguments, import, last-error store. */
#include "test_common.h"

int main(void) {
  char* tmp = make_temp_dir();
  char xml[4096], path[8192], bin[8192];
  ov_core_t* core = NULL;
  ov_model_t* model = NULL;
  ov_compiled_model_t* cm = NULL;
  CHECK_OK(ov_core_create(&core));
  write_mlp(tmp, "mlp", xml, sizeof xml);

  CHECK(strcmp(ov_get_error_info(GENERAL_ERROR), "general error") == 0);
  CHECK(strcmp(ov_get_error_info(INVALID_C_PARAM), "invalid c input parameters") == 0);
  CHECK(strcmp(ov_get_error_info(NOT_IMPLEMENTED), "it's not implement") == 0);
  CHECK(strcmp(ov_get_error_info((ov_status_e)-99), "unknown exception") == 0);

  /* missing files */
  snprintf(path, sizeof path, "%s/missing.xml", tmp);
  CHECK_STATUS(ov_core_read_model(core, path, NULL, &model), GENERAL_ERROR);
  CHECK(last_error_has("missing.xml cannot be opened"));
  CHECK_STATUS(ov_core_compile_model_from_file(core, path, "CPU", 0, &cm), GENERAL_ERROR);
  snprintf(bin, sizeof bin, "%s/missing.bin", tmp);
  CHECK_STATUS(ov_core_read_model(core, xml, bin, &model), GENERAL_ERROR);
  CHECK(last_error_has("Weights file"));

  /* malformed xml */
  snprintf(path, sizeof path, "%s/bad.xml", tmp);
  write_text(path,
             "<?xml version=\"1.0\"?>\n<net name=\"x\" version=\"11\"><layers><layer id=\"0\"");
  CHECK_STATUS(ov_core_read_model(core, path, bin, &model), GENERAL_ERROR);
  CHECK_STATUS(ov_core_read_model(core, path, NULL, &model), GENERAL_ERROR);
  CHECK(last_error_has("Unable to read the model"));
  write_text(path, "<net version=\"9\"><layers/></net>");
  CHECK_STATUS(ov_core_read_model(core, path, NULL, &model), GENERAL_ERROR);
  CHECK(last_error_has("Unsupported IR version"));

  /* truncated .bin */
  snprintf(bin, sizeof bin, "%s/mlp.bin", tmp);
  CHECK(truncate(bin, 100) == 0);
  CHECK_STATUS(ov_core_read_model(core, xml, NULL, &model), GENERAL_ERROR);
  CHECK(last_error_has("Incorrect weights in bin file"));
  write_mlp(tmp, "mlp", xml, sizeof xml);

  /* properties */
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 2, &cm, "NOT_A_KEY", "1"),
               GENERAL_ERROR);
  CHECK(last_error_has("NOT_A_KEY"));
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 2, &cm, "NOT_A_KEY", "1"),
               GENERAL_ERROR);
  CHECK(last_error_has("CPU"));
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 1, &cm, "CACHE_DIR"),
               INVALID_C_PARAM);
  CHECK_STATUS(
      ov_core_compile_model_from_file(core, xml, "CPU", 2, &cm, "PERFORMANCE_HINT", "FAST"),
      GENERAL_ERROR);
  CHECK_STATUS(ov_core_set_property(core, "CPU", "NUM_STREAMS", "many"), GENERAL_ERROR);
  CHECK_STATUS(ov_core_set_property(core, "CPU", "BOGUS", "1"), GENERAL_ERROR);
  CHECK(last_error_has("BOGUS"));
  CHECK_STATUS(ov_core_set_property(core, "NPU", "NUM_STREAMS", "1"), GENERAL_ERROR);
  CHECK_OK(ov_core_set_property(core, NULL, ov_property_key_hint_performance_mode, "THROUGHPUT"));
  char* v = NULL;
  CHECK_OK(ov_core_get_property(core, "CPU", ov_property_key_hint_performance_mode, &v));
  CHECK(v && strcmp(v, "THROUGHPUT") == 0);
  ov_free(v);
  CHECK_OK(ov_core_set_property(core, "CPU", ov_property_key_enable_profiling, "true"));
  CHECK_OK(ov_core_get_property(core, "CPU", ov_property_key_enable_profiling, &v));
  CHECK(v && strcmp(v, "YES") == 0);
  ov_free(v);
  CHECK_STATUS(ov_core_get_property(core, NULL, ov_property_key_cache_dir, &v), UNKNOW_EXCEPTION);
  CHECK_STATUS(ov_core_get_property(core, "CPU", "BOGUS", &v), GENERAL_ERROR);
  CHECK_OK(ov_core_get_property(core, "CPU", ov_property_key_device_capabilities, &v));
  CHECK(v && strstr(v, "EXPORT_IMPORT") != NULL);
  ov_free(v);
  CHECK_OK(ov_core_get_property(core, "CPU", ov_property_key_device_full_name, &v));
  CHECK(v && strstr(v, "stub") != NULL);
  ov_free(v);
  CHECK_OK(ov_core_get_property(core, "CPU", ov_property_key_supported_properties, &v));
  CHECK(v && strstr(v, "CACHE_DIR") != NULL && strstr(v, "FULL_DEVICE_NAME") != NULL);
  ov_free(v);
  CHECK_OK(ov_core_get_property(core, "", ov_property_key_cache_dir, &v));
  CHECK(v && strcmp(v, "") == 0);
  ov_free(v);

  /* compiled model properties */
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm));
  CHECK(loaded_from_cache(cm) == 0);
  CHECK_OK(ov_compiled_model_get_property(cm, ov_property_key_model_name, &v));
  CHECK(v && strcmp(v, "mlp") == 0);
  ov_free(v);
  CHECK_OK(
      ov_compiled_model_get_property(cm, ov_property_key_optimal_number_of_infer_requests, &v));
  ov_free(v);
  CHECK_STATUS(ov_compiled_model_get_property(cm, "BOGUS", &v), GENERAL_ERROR);
  CHECK_OK(ov_compiled_model_set_property(cm, ov_property_key_enable_profiling, "YES"));
  CHECK_STATUS(ov_compiled_model_set_property(cm, "LOADED_FROM_CACHE", "YES"), GENERAL_ERROR);

  /* import: garbage fails, export payload works */
  ov_compiled_model_t* imp = NULL;
  CHECK_STATUS(ov_core_import_model(core, "garbage", 7, "CPU", &imp), GENERAL_ERROR);
  CHECK(last_error_has("Cannot import"));

  /* NULL arguments */
  CHECK_STATUS(ov_core_create(NULL), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_read_model(NULL, xml, NULL, &model), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_read_model(core, NULL, NULL, &model), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_read_model(core, xml, NULL, NULL), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_compile_model(core, NULL, "CPU", 0, &cm), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_compile_model_from_file(core, NULL, "CPU", 0, &cm), INVALID_C_PARAM);
  /* a NULL value becomes std::string(NULL) inside the try block (common.h): UNKNOW_EXCEPTION */
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 2, &cm, "CACHE_DIR", NULL),
               UNKNOW_EXCEPTION);
  CHECK_STATUS(ov_core_get_property(core, "", NULL, &v), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_get_property(core, "", "CACHE_DIR", NULL), INVALID_C_PARAM);
  CHECK_STATUS(ov_core_import_model(core, NULL, 0, "CPU", &imp), INVALID_C_PARAM);
  CHECK_STATUS(ov_compiled_model_create_infer_request(NULL, NULL), INVALID_C_PARAM);
  CHECK_STATUS(ov_tensor_create_from_host_ptr(TEST_F32, (ov_shape_t){0, NULL}, NULL, NULL),
               INVALID_C_PARAM);
  CHECK_STATUS(ov_get_openvino_version(NULL), INVALID_C_PARAM);
  CHECK_STATUS(ov_model_reshape_input_by_name(NULL, "input", (ov_partial_shape_t){{0, 0}, NULL}),
               INVALID_C_PARAM);

  /* last error is process-global and copied */
  CHECK_STATUS(ov_core_set_property(core, "CPU", "ANOTHER_BOGUS", "1"), GENERAL_ERROR);
  const char* a = ov_get_last_err_msg();
  const char* b = ov_get_last_err_msg();
  CHECK(a && b && a != b && strcmp(a, b) == 0 && strstr(a, "ANOTHER_BOGUS"));
  ov_free(a);
  ov_free(b);

  ov_compiled_model_free(cm);
  ov_core_free(core);
  remove_tree(tmp);
  free(tmp);
  return finish("errors");
}
