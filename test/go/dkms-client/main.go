// A third independent client of the Alibaba KMS-instance protocol, for the end-to-end tests: the
// dkms-gcs Go SDK's way of reading a ClientKey (golang.org/x/crypto/pkcs12 ToPEM, the first PEM
// block the certificate, the second the RSA key as PKCS#1) and of signing a request, in the Go
// standard library. It calls GenerateRandom{Length: 32} over HTTPS, checking the server against
// the CA file, and prints one JSON line.
//
// Usage: dkms-client CLIENT_KEY_FILE PASSWORD HOST:PORT CA_FILE
package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/pkcs12"
)

func main() {
	out, err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4])
	if err != nil {
		out = map[string]interface{}{"error": err.Error()}
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

func run(file, password, endpoint, caFile string) (map[string]interface{}, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var clientKey struct{ KeyId, PrivateKeyData string }
	if err := json.Unmarshal(content, &clientKey); err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(clientKey.PrivateKeyData)
	if err != nil {
		return nil, err
	}
	blocks, err := pkcs12.ToPEM(data, password)
	if err != nil {
		return nil, err
	}
	if len(blocks) != 2 {
		return nil, fmt.Errorf("%d PEM blocks", len(blocks))
	}
	if _, err := x509.ParseCertificate(blocks[0].Bytes); err != nil {
		return nil, fmt.Errorf("first block: %v", err)
	}
	key, err := x509.ParsePKCS1PrivateKey(blocks[1].Bytes)
	if err != nil {
		return nil, fmt.Errorf("second block: %v", err)
	}

	body := []byte{0x08, 0x20} // GenerateRandomRequest{Length: 32}
	sum := sha256.Sum256(body)
	headers := map[string]string{
		"accept":                "application/x-protobuf",
		"content-type":          "application/x-protobuf",
		"content-sha256":        strings.ToUpper(hex.EncodeToString(sum[:])),
		"date":                  time.Now().UTC().Format(http.TimeFormat),
		"x-kms-apiversion":      "dkms-gcs-0.2",
		"x-kms-apiname":         "GenerateRandom",
		"x-kms-signaturemethod": "RSA_PKCS1_SHA_256",
		"x-kms-acccesskeyid":    clientKey.KeyId,
	}
	var names []string
	for name := range headers {
		if strings.HasPrefix(name, "x-kms-") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	lines := make([]string, len(names))
	for i, name := range names {
		lines[i] = name + ":" + headers[name]
	}
	toSign := "POST\n" + headers["content-sha256"] + "\n" + headers["content-type"] + "\n" + headers["date"] + "\n" +
		strings.Join(lines, "\n") + "\n/"
	hashed := sha256.Sum256([]byte(toSign))
	signature, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, hashed[:])
	if err != nil {
		return nil, err
	}

	req, err := http.NewRequest("POST", "https://"+endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	req.Header.Set("authorization", "Bearer "+base64.StdEncoding.EncodeToString(signature))
	caPem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	// GenerateRandomResponse field 1 (Random, bytes): tag 0x0a, then its length.
	randomBytes := 0
	if len(reply) > 2 && reply[0] == 0x0a {
		randomBytes = int(reply[1])
	}
	return map[string]interface{}{"blocks": []string{blocks[0].Type, blocks[1].Type}, "status": resp.StatusCode, "randomBytes": randomBytes}, nil
}
