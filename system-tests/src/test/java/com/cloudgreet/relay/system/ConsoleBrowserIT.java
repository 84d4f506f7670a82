package com.cloudgreet.relay.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.cloudgreet.relay.common.json.RelayJson;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real headless browser (Debian's chromium through chromedriver) against the
 * running system: a tenant's backend creates a portal link, the browser opens it and sees the
 * tenant's endpoint and a webhook delivered through Kafka and webhook-service with its attempt; a
 * receiver's hostile answer shows as text; another tenant's message is not found; a used or
 * expired link is refused. Screenshots of the main pages go to {@code docs/console/}.
 */
class ConsoleBrowserIT {

	private static final String HOSTILE = "<script>alert(1)</script>";

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final ServiceProcess gateway = RunningRelay.GATEWAY;

	private static final Path SCREENSHOTS = ServiceProcess.ROOT.resolve("docs/console");

	private static ChromeDriver browser;

	@BeforeAll
	static void start() throws Exception {
		RunningRelay.start();
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		// Headless, as root in a container: no sandbox, no /dev/shm assumptions.
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=1280,860");
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
			.build();
		browser = new ChromeDriver(service, options);
		browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
	}

	@AfterAll
	static void stop() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void aPortalLinkShowsTheTenantItsOwnDeliveriesAndNothingElse() throws Exception {
		String tenantName = "Acme Billing " + UUID.randomUUID().toString().substring(0, 6);
		String apiKey = createTenant(tenantName);
		String otherKey = createTenant("Other " + UUID.randomUUID());
		try (MockWebServer receiver = new MockWebServer()) {
			receiver.enqueue(new MockResponse.Builder().code(200).body("thanks " + HOSTILE).build());
			receiver.start();
			String hookUrl = receiver.url("/hooks/acme").toString();
			JsonNode endpoint = json(post("/v1/endpoints", apiKey,
					"{\"url\":\"" + hookUrl + "\",\"eventTypes\":[\"invoice.paid\"]}"), 201);
			String eventId = json(post("/v1/events", apiKey,
					"{\"eventType\":\"invoice.paid\",\"payload\":{\"invoice\":\"in_1\"}}"), 202).get("id").asString();
			String foreignId = json(post("/v1/events", otherKey,
					"{\"eventType\":\"invoice.paid\",\"payload\":{\"invoice\":\"secret\"}}"), 202).get("id").asString();
			awaitStatus(eventId, apiKey, "delivered");
			awaitStatus(foreignId, otherKey, "delivered");

			String link = json(post("/v1/portal-links", apiKey, "{}"), 201).get("url").asString();
			browser.get(link);
			awaitPage("the link is exchanged for a session", () -> browser.getCurrentUrl().endsWith("/console/endpoints"));
			assertThat(browser.getCurrentUrl()).doesNotContain("#");
			String page = text();
			assertThat(page).contains(tenantName, hookUrl, "invoice.paid", "enabled", endpoint.get("id").asString());
			screenshot("endpoints");

			browser.get(gateway.url() + "/console/messages");
			assertThat(text()).contains(eventId, "delivered").doesNotContain(foreignId);
			screenshot("messages");

			browser.findElement(By.linkText(eventId)).click();
			await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith(eventId));
			String message = text();
			assertThat(message).contains(eventId, "delivered", "200", hookUrl);
			assertThat(browser.findElement(By.cssSelector("#attempts pre.answer")).getText())
				.isEqualTo("thanks " + HOSTILE);
			assertThat(browser.findElements(By.tagName("script"))).as("the receiver's script is text, not an element")
				.isEmpty();
			assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
			screenshot("message");

			browser.get(gateway.url() + "/console/messages/" + foreignId);
			assertThat(browser.findElement(By.id("not-found")).getText()).isEqualTo("Not found");
			assertThat(text()).doesNotContain("secret");

			browser.manage().deleteAllCookies();
			browser.get(link);
			awaitPage("a used link is refused", () -> !browser.findElements(By.id("expired")).isEmpty());
			browser.get(gateway.url() + "/console/endpoints");
			assertThat(browser.getCurrentUrl()).endsWith("/console/expired");
			assertThat(text()).doesNotContain(hookUrl);
		}
	}

	@Test
	void anExpiredLinkIsRefusedWithAClearPage() throws Exception {
		String apiKey = createTenant("Expiring " + UUID.randomUUID());
		JsonNode link = json(post("/v1/portal-links", apiKey, "{\"ttl\":\"PT1S\"}"), 201);
		Instant expiresAt = Instant.parse(link.get("expiresAt").asString());
		await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiresAt));

		browser.manage().deleteAllCookies();
		browser.get(link.get("url").asString());
		awaitPage("the expired page", () -> !browser.findElements(By.id("expired")).isEmpty());
		assertThat(text()).contains("This link has expired", "Ask the application that sent you here for a new link");
		screenshot("expired");
	}

	/** Waits for the browser to get somewhere; if it does not, says where it is and what it shows. */
	private static void awaitPage(String what, java.util.concurrent.Callable<Boolean> arrived) {
		try {
			await(what).atMost(Duration.ofSeconds(20)).until(arrived);
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			throw new AssertionError(what + ": the browser is at " + browser.getCurrentUrl() + " showing:\n"
					+ browser.getPageSource(), ex);
		}
	}

	private static String text() {
		return browser.findElement(By.tagName("body")).getText();
	}

	private static void screenshot(String name) throws IOException {
		Files.createDirectories(SCREENSHOTS);
		Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
	}

	private static void awaitStatus(String id, String key, String expected) {
		await("status of " + id).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
			HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages/" + id))
				.header("Authorization", "Bearer " + key)
				.GET());
			return response.statusCode() == 200
					&& expected.equals(RelayJson.mapper().readTree(response.body()).get("status").asString());
		});
	}

	private static String createTenant(String name) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/tenants"))
			.header("Authorization", "Bearer " + RunningRelay.ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")));
		return json(response, 201).get("apiKey").asString();
	}

	private static HttpResponse<String> post(String path, String key, String body) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
			.header("Authorization", "Bearer " + key)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private static JsonNode json(HttpResponse<String> response, int expected) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
		return RelayJson.mapper().readTree(response.body());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
