/**
 * The registry's REST API on the JDK's HTTP server: a small route table ({@link
 * io.streamlearn.registry.http.Routes}) that more features can extend with routes and mounted
 * static files, a server that answers JSON and JSON errors with the right status ({@link
 * io.streamlearn.registry.http.JsonHttpServer}), and the registry's routes ({@link
 * io.streamlearn.registry.http.RegistryApi}).
 */
package io.streamlearn.registry.http;
