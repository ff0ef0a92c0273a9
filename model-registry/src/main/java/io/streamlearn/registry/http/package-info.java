/**
 * The project's one way to serve HTTP, on the JDK's server: a small route table ({@link
 * io.streamlearn.registry.http.Routes}) that more features (the dashboard) extend with routes and
 * mounted static files ({@link io.streamlearn.registry.http.StaticFiles}), a server that answers
 * JSON and JSON errors with the right status and asks every write for the bearer token when one
 * is set ({@link io.streamlearn.registry.http.JsonHttpServer}), one health answer ({@link
 * io.streamlearn.registry.http.Health}), and the registry's routes ({@link
 * io.streamlearn.registry.http.RegistryApi}).
 */
package io.streamlearn.registry.http;
