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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import com.cloudgreet.relay.common.json.RelayJson;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real headless browser (Debian's chromium through chromedriver) against
 * the running system: an operator logs in with the admin token, finds a tenant's webhooks that a
 * failing receiver made dead letters under their channel and cause (the receiver's hostile answer
 * as text), replays them with the form once the receiver is back, sees {@code remaining} 0 and the
 * events delivered. Screenshots go to {@code docs/console/operator-*.png}.
 */
class OperatorConsoleBrowserIT {

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
	void anOperatorFindsDeadLettersAndReplaysThemUntilNoneRemain() throws Exception {
		String tenantName = "Globex Ops " + UUID.randomUUID().toString().substring(0, 6);
		JsonNode tenant = createTenant(tenantName);
		String tenantId = tenant.get("id").asString();
		String apiKey = tenant.get("apiKey").asString();
		AtomicBoolean receiverUp = new AtomicBoolean(false);
		try (MockWebServer receiver = new MockWebServer()) {
			receiver.setDispatcher(new Dispatcher() {
				@Override
				public MockResponse dispatch(RecordedRequest request) {
					return receiverUp.get() ? new MockResponse.Builder().code(200).body("ok").build()
							: new MockResponse.Builder().code(500).body("down " + HOSTILE).build();
				}
			});
			receiver.start();
			String hookUrl = receiver.url("/hooks/globex").toString();
			json(post("/v1/endpoints", apiKey, "{\"url\":\"" + hookUrl + "\",\"eventTypes\":[\"order.shipped\"]}"), 201);
			String first = event(apiKey);
			String second = event(apiKey);
			awaitStatus(first, apiKey, "dead_lettered");
			awaitStatus(second, apiKey, "dead_lettered");

			browser.manage().deleteAllCookies();
			browser.get(gateway.url() + "/console/operator/tenants");
			awaitPage("an operator page without a session sends to the login",
					() -> browser.getCurrentUrl().endsWith("/console/operator/login"));
			browser.findElement(By.id("token")).sendKeys("not-the-token");
			browser.findElement(By.cssSelector("#operator-login button")).click();
			awaitPage("a wrong token is refused", () -> !browser.findElements(By.id("login-error")).isEmpty());
			screenshot("operator-login");
			browser.findElement(By.id("token")).sendKeys(RunningRelay.ADMIN_TOKEN);
			browser.findElement(By.cssSelector("#operator-login button")).click();
			awaitPage("the token is exchanged for a session",
					() -> browser.getCurrentUrl().endsWith("/console/operator/tenants"));
			assertThat(browser.getPageSource()).doesNotContain(RunningRelay.ADMIN_TOKEN);
			// Tenants are listed by id; a fresh system test database may hold more than a page of them.
			assertThat(text()).contains("Tenants");
			screenshot("operator-tenants");

			browser.get(gateway.url() + "/console/operator/dead-letters?channel=webhook&cause=exhausted");
			WebElement counts = browser.findElement(By.id("counts"));
			assertThat(counts.getText()).contains("webhook", "exhausted", "HTTP 500");
			String list = browser.findElement(By.id("dead-letters")).getText();
			assertThat(list).contains(first, second, tenantId, "exhausted", "down " + HOSTILE);
			assertThat(browser.findElements(By.tagName("script"))).as("the receiver's script is text").isEmpty();
			assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
			screenshot("operator-dead-letters");

			receiverUp.set(true);
			browser.findElement(By.xpath("//tr[contains(., '" + first + "')]//a[contains(., 'Replay tenant')]")).click();
			awaitPage("the replay form, filled in for the tenant",
					() -> !browser.findElements(By.id("replay")).isEmpty());
			assertThat(browser.findElement(By.name("tenantId")).getAttribute("value")).isEqualTo(tenantId);
			browser.findElement(By.cssSelector("#replay button")).click();
			awaitPage("the replay's result", () -> !browser.findElements(By.id("replay-result")).isEmpty());
			assertThat(browser.findElement(By.id("remaining")).getText()).isEqualTo("0");
			assertThat(browser.findElement(By.id("replay-result")).getText()).contains("2 replayed");
			screenshot("operator-replay");

			awaitStatus(first, apiKey, "delivered");
			awaitStatus(second, apiKey, "delivered");
			browser.get(gateway.url() + "/console/operator/dead-letters?channel=webhook");
			assertThat(text()).doesNotContain(first).doesNotContain(second);

			browser.get(gateway.url() + "/console/operator/channels");
			assertThat(browser.findElement(By.id("channels")).getText()).contains("email", "sms", "open");
			screenshot("operator-channels");
			browser.get(gateway.url() + "/console/operator/lag");
			awaitPage("the consumer groups' lag", () -> !browser.findElements(By.id("lag")).isEmpty());
			assertThat(text()).contains("webhook-service", "relay.webhook.v1");
			screenshot("operator-lag");
			browser.get(gateway.url() + "/console/operator/endpoints");
			assertThat(text()).contains("Disabled endpoints");

			browser.findElement(By.cssSelector("form.logout button")).click();
			awaitPage("logout ends the session", () -> browser.getCurrentUrl().endsWith("/console/operator/login"));
			browser.get(gateway.url() + "/console/operator/dead-letters");
			assertThat(browser.getCurrentUrl()).endsWith("/console/operator/login");
		}
	}

	private static String event(String apiKey) throws Exception {
		return json(post("/v1/events", apiKey, "{\"eventType\":\"order.shipped\",\"payload\":{\"order\":\"o_1\"}}"), 202)
			.get("id")
			.asString();
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
		await("status of " + id + " becomes " + expected).atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> {
				HttpResponse<String> response = send(
						HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages/" + id))
							.header("Authorization", "Bearer " + key)
							.GET());
				return response.statusCode() == 200
						&& expected.equals(RelayJson.mapper().readTree(response.body()).get("status").asString());
			});
	}

	private static JsonNode createTenant(String name) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/tenants"))
			.header("Authorization", "Bearer " + RunningRelay.ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")));
		return json(response, 201);
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
