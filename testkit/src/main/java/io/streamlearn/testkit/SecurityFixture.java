package io.streamlearn.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TLS material and SCRAM users for a secured embedded broker: a self-signed certificate for
 * {@code localhost} in a PKCS12 key store, a trust store holding it, and the SASL/SCRAM-SHA-256
 * credentials of the broker's own user and of one client user. Made with the JDK's
 * {@code keytool}, so no extra library is needed.
 *
 * @param keyStore the broker's key store (PKCS12)
 * @param trustStore a trust store with the broker's certificate (PKCS12)
 * @param storePassword password of both stores
 * @param adminUser the broker's inter-broker SCRAM user (a super user)
 * @param adminPassword its password
 * @param clientUser the SCRAM user apps connect as
 * @param clientPassword its password
 */
public record SecurityFixture(Path keyStore, Path trustStore, String storePassword, String adminUser,
                              String adminPassword, String clientUser, String clientPassword) {
  /** The SASL mechanism used throughout. */
  public static final String MECHANISM = "SCRAM-SHA-256";

  /** Generates fresh key material in {@code dir}; passwords are random per fixture. */
  public static SecurityFixture create(Path dir) {
    String password = randomSecret();
    Path keyStore = dir.resolve("broker.p12");
    Path cert = dir.resolve("broker.crt");
    Path trustStore = dir.resolve("truststore.p12");
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", password, "-keypass", password);
    keytool("-exportcert", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", password,
        "-rfc", "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype",
        "PKCS12", "-keystore", trustStore.toString(), "-storepass", password);
    return new SecurityFixture(keyStore, trustStore, password, "admin", randomSecret(), "streamlearn",
        randomSecret());
  }

  /** Client properties that connect as {@link #clientUser()} over SASL_SSL. */
  public Map<String, Object> clientProperties() {
    return clientProperties(clientUser, clientPassword);
  }

  /** Client properties that connect as the given SCRAM user over SASL_SSL. */
  public Map<String, Object> clientProperties(String user, String password) {
    return Map.of(
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", MECHANISM,
        "sasl.jaas.config", jaas(user, password),
        "ssl.truststore.location", trustStore.toString(),
        "ssl.truststore.password", storePassword,
        "ssl.truststore.type", "PKCS12");
  }

  /** The JAAS line of a SCRAM login. */
  public static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";";
  }

  /** The broker properties of a SASL_SSL client listener on {@code port}. */
  Map<String, String> brokerProperties(int port, int controllerPort) {
    return Map.ofEntries(
        Map.entry("listeners", "SASL_SSL://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort),
        Map.entry("advertised.listeners", "SASL_SSL://localhost:" + port),
        Map.entry("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT"),
        Map.entry("inter.broker.listener.name", "SASL_SSL"),
        Map.entry("sasl.enabled.mechanisms", MECHANISM),
        Map.entry("sasl.mechanism.inter.broker.protocol", MECHANISM),
        Map.entry("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config", jaas(adminUser, adminPassword)),
        Map.entry("ssl.keystore.location", keyStore.toString()),
        Map.entry("ssl.keystore.password", storePassword),
        Map.entry("ssl.key.password", storePassword),
        Map.entry("ssl.keystore.type", "PKCS12"),
        Map.entry("ssl.truststore.location", trustStore.toString()),
        Map.entry("ssl.truststore.password", storePassword),
        Map.entry("ssl.truststore.type", "PKCS12"),
        Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
        // The controller listener is PLAINTEXT on loopback, so the broker reaches its controller as
        // ANONYMOUS; clients cannot be anonymous, as the only client listener is SASL_SSL.
        Map.entry("super.users", "User:" + adminUser + ";User:ANONYMOUS"),
        Map.entry("allow.everyone.if.no.acl.found", "false"));
  }

  /** The SCRAM users to create when the storage is formatted, in kafka-storage's syntax. */
  List<String> scramArguments() {
    return List.of(
        MECHANISM + "=[name=" + adminUser + ",password=" + adminPassword + "]",
        MECHANISM + "=[name=" + clientUser + ",password=" + clientPassword + "]");
  }

  /** Names the files and users, never the passwords. */
  @Override
  public String toString() {
    return "SecurityFixture[keyStore=" + keyStore + ", trustStore=" + trustStore + ", adminUser="
        + adminUser + ", clientUser=" + clientUser + ", passwords hidden]";
  }

  private static String randomSecret() {
    byte[] bytes = new byte[12];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static void keytool(String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run keytool: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
