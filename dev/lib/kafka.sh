# A single-node KRaft Kafka broker from the jars on Maven Central. Sourced by dev/up and the benchmarks.

KAFKA_LIB="$KAFKA_HOME/lib"

# One broker: the topics the services create get one replica and min.insync.replicas 1, and the
# services accept that (their defaults, 3 and 2, are for a production cluster and would stop them).
export RELAY_KAFKA_TOPICS_REPLICATION_FACTOR="${RELAY_KAFKA_TOPICS_REPLICATION_FACTOR:-1}"
export RELAY_KAFKA_TOPICS_MIN_INSYNC_REPLICAS="${RELAY_KAFKA_TOPICS_MIN_INSYNC_REPLICAS:-1}"

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
  # ./dev/up's broker creates no topics on first use: each service creates (and checks) its own
  # at start-up, with relay.kafka.topics.* (common's TopicProvisioner).
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
