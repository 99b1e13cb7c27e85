{
  "targets": [
    {
      "target_name": "ml_dsa_mu",
      "sources": ["ml_dsa_mu.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "conditions": [
        ["OS=='linux'", {"ldflags": ["-Wl,-z,now"]}]
      ]
    }
  ]
}
