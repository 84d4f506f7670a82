# A single-node KRaft Kafka broker from the jars on Maven Central. Sourced by dev/up.

KAFKA_LIB="$KAFKA_HOME/lib"

kafka_install() {
  [[ -f "$KAFKA_HOME/.installed" ]] && return 0
  say "resolving the Kafka broker from Maven Central (once; cached in $KAFKA_LIB)"
  rm -rf "$KAFKA_LIB"
  "$RELAY_ROOT/mvnw" -q -B -f "$RELAY_ROOT/dev/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB" || die "could not resolve the Kafka jars"
  touch "$KAFKA_HOME/.installed"
}

kafka_configure() {
  [[ -f "$KAFKA_HOME/data/meta.properties" ]] && return 0
  # ./dev/up's broker creates no topics on first use: kafka_create_topics makes them explicitly.
  kafka_format "$KAFKA_HOME" 9092 9093 "$LOGS/kafka-format.log" "auto.create.topics.enable=false"
}

# Writes a single-node KRaft configuration into $1 (data in $1/data, PLAINTEXT on 127.0.0.1:$2,
# controller on 127.0.0.1:$3, extra properties in $5...) and formats its storage (log in $4).
kafka_format() {
  local dir="$1" port="$2" controller="$3" log="$4"
  shift 4
  mkdir -p "$dir/data"
  {
    cat <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    printf '%s\n' "$@"
  } > "$dir/server.properties"
  kafka_log_config
  local cluster_id
  cluster_id="$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  java -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$dir/server.properties" >"$log" 2>&1 \
    || die "could not format Kafka storage; see $log"
}

kafka_log_config() {
  mkdir -p "$KAFKA_HOME"
  cat > "$KAFKA_HOME/log4j2.properties" <<'PROPS'
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
logger.broker.name=kafka.server.BrokerServer
logger.broker.level=INFO
PROPS
}

kafka_ready() { java_topics --list >/dev/null 2>&1; }

java_topics() {
  java -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 "$@"
}

kafka_start() {
  if is_running kafka; then return 0; fi
  if port_open 9092; then
    warn "something already listens on 127.0.0.1:9092; using it as the Kafka broker"
    return 0
  fi
  kafka_install
  kafka_configure
  say "starting Kafka (KRaft) on 127.0.0.1:9092"
  nohup java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseSerialGC -cp "$KAFKA_LIB/*" \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
    kafka.Kafka "$KAFKA_HOME/server.properties" >"$LOGS/kafka.log" 2>&1 &
  echo $! > "$PIDS/kafka.pid"
  wait_for "Kafka" 60 grep -q "Kafka Server started" "$LOGS/kafka.log" \
    || die "Kafka did not start within 60 s; see $LOGS/kafka.log"
}

# Request topics and their dead-letter topics; the services create their retry topics themselves.
kafka_create_topics() {
  local partitions="${RELAY_TOPIC_PARTITIONS:-6}" existing topic
  existing="$(java_topics --list 2>/dev/null)"
  for topic in relay.email.v1 relay.sms.v1 relay.webhook.v1 relay.email.v1-dlt relay.sms.v1-dlt relay.webhook.v1-dlt; do
    grep -qx "$topic" <<<"$existing" && continue
    say "creating topic $topic ($partitions partitions)"
    java_topics --create --if-not-exists --topic "$topic" --partitions "$partitions" --replication-factor 1 >/dev/null
  done
}

# A throwaway single-node broker for benchmarks: fresh data in $1, PLAINTEXT on 127.0.0.1:$2,
# controller on 127.0.0.1:$3, log in $4. Sets SCRATCH_BROKER_PID; topics are created on first use.
# Benchmarks use one so their records never reach the ./dev/up broker (whose consumers would
# otherwise drain them the next time the services start).
kafka_start_scratch() {
  local dir="$1" port="$2" controller="$3" log="$4"
  kafka_install
  rm -rf "$dir"
  kafka_format "$dir" "$port" "$controller" "$log"
  java -Xmx512m -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" kafka.Kafka \
    "$dir/server.properties" >>"$log" 2>&1 &
  SCRATCH_BROKER_PID=$!
  local i
  for i in $(seq 1 60); do
    port_open "$port" && return 0
    sleep 1
  done
  die "benchmark broker did not start; see $log"
}
