/*
 * ML-DSA signing and verification from an externally computed mu (FIPS 204 §6.2, AWS KMS
 * MessageType EXTERNAL_MU), for the one case node:crypto cannot serve: its sign/verify take the
 * message, never mu. Everything cryptographic is OpenSSL's (>= 3.5): the key is decoded with
 * OSSL_DECODER, and EVP_PKEY_sign_message_init / EVP_PKEY_verify_message_init with the signature
 * parameter "mu" = 1 make EVP_PKEY_sign / EVP_PKEY_verify take mu in place of the message
 * (EVP_SIGNATURE-ML-DSA(7)). The OpenSSL symbols resolve against the running node binary, so this
 * uses the same OpenSSL as node:crypto. See README.md.
 *
 * Private key bytes: this file never copies them. It reads the caller's Buffer in place (the
 * caller zeroes it), and the decoded EVP_PKEY is released with EVP_PKEY_free, which clears
 * ML-DSA's private parts inside OpenSSL. The OpenSSL error queue is left as found (set mark /
 * pop to mark), so no error of ours can surface in a later node:crypto call.
 */
#include <node_api.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <stdio.h>

#if OPENSSL_VERSION_NUMBER < 0x30500000L
#error "ml-dsa-mu needs OpenSSL >= 3.5 headers (Node.js 24 ships them in include/node/openssl)"
#endif

/* FIPS 204 §6.2: mu is 64 bytes for every parameter set. */
#define MU_BYTES 64

static const char *const ML_DSA_NAMES[] = {"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"};

typedef struct {
  const unsigned char *data;
  size_t len;
} bytes_t;

/* Throws Error("ml-dsa-mu: <what> (<OpenSSL's newest error, if any>)"). OpenSSL's error strings
 * name a library, a function and a reason, never data. */
static void throw_openssl(napi_env env, const char *what) {
  char reason[256] = "no OpenSSL error";
  char message[400];
  unsigned long err = ERR_peek_last_error();
  if (err != 0) ERR_error_string_n(err, reason, sizeof reason);
  snprintf(message, sizeof message, "ml-dsa-mu: %s (%s)", what, reason);
  napi_throw_error(env, NULL, message);
}

/* Reads argument `index` as a Buffer; throws a TypeError and returns 0 if it is not one. */
static int buffer_arg(napi_env env, napi_value *argv, size_t argc, size_t index, const char *name, bytes_t *out) {
  bool is_buffer = false;
  void *data = NULL;
  size_t len = 0;
  if (index >= argc || napi_is_buffer(env, argv[index], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[index], &data, &len) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "ml-dsa-mu: %s must be a Buffer", name);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  out->data = data;
  out->len = len;
  return 1;
}

/* Decodes a PKCS#8 PrivateKeyInfo or an X.509 SubjectPublicKeyInfo (DER, nothing after it). */
static EVP_PKEY *decode_key(const bytes_t *der, int private_key) {
  EVP_PKEY *pkey = NULL;
  const unsigned char *p = der->data;
  size_t left = der->len;
  OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(
      &pkey, "DER", private_key ? "PrivateKeyInfo" : "SubjectPublicKeyInfo", NULL,
      private_key ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, NULL, NULL);
  if (dctx == NULL) return NULL;
  int ok = OSSL_DECODER_from_data(dctx, &p, &left);
  OSSL_DECODER_CTX_free(dctx);
  if (!ok || left != 0) {
    EVP_PKEY_free(pkey);
    return NULL;
  }
  return pkey;
}

/* The ML-DSA parameter set's algorithm name, or NULL for any other key type. */
static const char *ml_dsa_name(const EVP_PKEY *pkey) {
  for (size_t i = 0; i < sizeof ML_DSA_NAMES / sizeof ML_DSA_NAMES[0]; i++) {
    if (EVP_PKEY_is_a(pkey, ML_DSA_NAMES[i])) return ML_DSA_NAMES[i];
  }
  return NULL;
}

/* Everything one call allocates, freed in one place. */
typedef struct {
  EVP_PKEY *pkey;
  EVP_SIGNATURE *alg;
  EVP_PKEY_CTX *ctx;
} op_t;

static void op_free(op_t *op) {
  EVP_PKEY_CTX_free(op->ctx);
  EVP_SIGNATURE_free(op->alg);
  EVP_PKEY_free(op->pkey);
}

/* Decodes the key and opens a sign- or verify-message operation whose input is mu. Throws and
 * returns 0 on failure (op_free still has to run). */
static int op_open(napi_env env, op_t *op, const bytes_t *der, int sign) {
  int mu_flag = 1;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_MU, &mu_flag), OSSL_PARAM_construct_end()};
  op->pkey = decode_key(der, sign);
  if (op->pkey == NULL) {
    throw_openssl(env, sign ? "the key is not a PKCS#8 DER private key" : "the key is not an SPKI DER public key");
    return 0;
  }
  const char *name = ml_dsa_name(op->pkey);
  if (name == NULL) {
    napi_throw_error(env, NULL, "ml-dsa-mu: the key is not an ML-DSA key");
    return 0;
  }
  op->alg = EVP_SIGNATURE_fetch(NULL, name, NULL);
  op->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, op->pkey, NULL);
  if (op->alg == NULL || op->ctx == NULL) {
    throw_openssl(env, "this OpenSSL has no ML-DSA signature");
    return 0;
  }
  int ok = sign ? EVP_PKEY_sign_message_init(op->ctx, op->alg, params)
                : EVP_PKEY_verify_message_init(op->ctx, op->alg, params);
  if (ok != 1) {
    throw_openssl(env, "OpenSSL refused an ML-DSA operation over mu");
    return 0;
  }
  return 1;
}

/* signMu(pkcs8Der: Buffer, mu: Buffer): Buffer — a fresh (hedged) ML-DSA signature of mu. */
static napi_value sign_mu(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bytes_t der;
  bytes_t mu;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (!buffer_arg(env, argv, argc, 0, "pkcs8Der", &der) || !buffer_arg(env, argv, argc, 1, "mu", &mu)) return NULL;
  if (mu.len != MU_BYTES) {
    napi_throw_range_error(env, NULL, "ml-dsa-mu: mu must be 64 bytes");
    return NULL;
  }

  napi_value result = NULL;
  op_t op = {NULL, NULL, NULL};
  unsigned char *signature = NULL;
  size_t signature_len = 0;
  ERR_set_mark();
  if (!op_open(env, &op, &der, 1)) goto done;
  if (EVP_PKEY_sign(op.ctx, NULL, &signature_len, mu.data, mu.len) != 1 || signature_len == 0) {
    throw_openssl(env, "OpenSSL could not size the signature");
    goto done;
  }
  signature = OPENSSL_malloc(signature_len);
  if (signature == NULL) {
    napi_throw_error(env, NULL, "ml-dsa-mu: out of memory");
    goto done;
  }
  if (EVP_PKEY_sign(op.ctx, signature, &signature_len, mu.data, mu.len) != 1) {
    throw_openssl(env, "OpenSSL could not sign mu");
    goto done;
  }
  if (napi_create_buffer_copy(env, signature_len, signature, NULL, &result) != napi_ok) result = NULL;

done:
  OPENSSL_free(signature);
  op_free(&op);
  ERR_pop_to_mark();
  return result;
}

/* verifyMu(spkiDer: Buffer, mu: Buffer, signature: Buffer): boolean — false for a signature that
 * does not verify (wrong, truncated, malformed); throws only for a bad key or a failing OpenSSL. */
static napi_value verify_mu(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  bytes_t der;
  bytes_t mu;
  bytes_t signature;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (!buffer_arg(env, argv, argc, 0, "spkiDer", &der) || !buffer_arg(env, argv, argc, 1, "mu", &mu) ||
      !buffer_arg(env, argv, argc, 2, "signature", &signature)) {
    return NULL;
  }
  if (mu.len != MU_BYTES) {
    napi_throw_range_error(env, NULL, "ml-dsa-mu: mu must be 64 bytes");
    return NULL;
  }

  napi_value result = NULL;
  op_t op = {NULL, NULL, NULL};
  ERR_set_mark();
  if (!op_open(env, &op, &der, 0)) goto done;
  int rc = signature.len == 0 ? 0 : EVP_PKEY_verify(op.ctx, signature.data, signature.len, mu.data, mu.len);
  if (rc < 0) {
    throw_openssl(env, "OpenSSL could not verify over mu");
    goto done;
  }
  if (napi_get_boolean(env, rc == 1, &result) != napi_ok) result = NULL;

done:
  op_free(&op);
  ERR_pop_to_mark();
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor properties[] = {
      {"signMu", NULL, sign_mu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"verifyMu", NULL, verify_mu, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) {
    return NULL;
  }
  return exports;
}
