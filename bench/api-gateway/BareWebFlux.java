package bench;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.netty.http.server.HttpServer;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

/**
 * The ceiling for the gateway benchmark: Spring WebFlux on Reactor Netty (the gateway's own
 * stack, same jars), one route that reads the body and answers 202 with a small JSON body, no
 * Redis, no Kafka, no auth. Run with the gateway's classpath: java -cp CP BareWebFlux.java PORT
 */
public class BareWebFlux {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		byte[] answer = "{\"id\":\"msg_00000000000000000000000000000000\",\"status\":\"queued\",\"channel\":\"sms\"}"
			.getBytes();
		RouterFunction<ServerResponse> route = RouterFunctions.route(POST("/v1/messages/sms"),
				(request) -> request.bodyToMono(byte[].class)
					.then(ServerResponse.status(HttpStatus.ACCEPTED)
						.contentType(MediaType.APPLICATION_JSON)
						.header("Location", "/v1/messages/msg_00000000000000000000000000000000")
						.bodyValue(answer)));
		var adapter = new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(route));
		var server = HttpServer.create().host("127.0.0.1").port(port).handle(adapter).bindNow();
		System.out.println("bare WebFlux listening on " + port);
		server.onDispose().block();
	}

}
