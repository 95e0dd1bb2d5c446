"""instructlake nightly refresh as an Airflow DAG (Airflow 2.4+ or 3, apache-airflow-providers-apache-spark).

One task submits the shaded jar with ``spark-submit`` through the ``spark_default`` connection (its
host is the master, e.g. ``spark://spark-master:7077`` or ``yarn``; its extras may set the deploy mode
and ``spark-home``). The task fails on any non-zero exit of the pipeline: 1 failed, 2 bad
configuration, 3 rolled back by a quality gate (nothing was published; the summary names the check).

Install: copy this file into the DAGs folder of a deployment whose workers have this checkout at
LAKE_HOME (built with ``mvn -B -DskipTests package``) and Spark 4.1 (Scala 2.13). Credentials for S3A
come from the provider chain of the workers (instance profile or the worker's environment), never from
this file or the connection extras.
"""

from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Checked by jobs/src/test/java/io/instructlake/jobs/DeployDefinitionsTest.java: paths are this
# checkout's layout under LAKE_HOME.
LAKE_HOME = "/opt/instructlake"
JAR = LAKE_HOME + "/jobs/target/instructlake-jobs-0.1.0-SNAPSHOT-spark.jar"
CONF = LAKE_HOME + "/conf/cluster.conf"
LOG4J = LAKE_HOME + "/conf/log4j2.properties"
# One summary per logical date; application_args is a templated field of SparkSubmitOperator.
SUMMARY = "/var/log/instructlake/summary-{{ ds_nodash }}.json"

with DAG(
    dag_id="instructlake_nightly",
    description="Incremental ingest of new raw files, curation and publish of gold, behind quality gates",
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # The nightly run is exactly-once per input file and writes the same tables: never two at a time.
    max_active_runs=1,
    default_args={
        "owner": "data-platform",
        # A retry reruns the whole command, which is idempotent (files already ingested are skipped).
        # A rolled-back run (exit 3) fails the same way again: keep retries few.
        "retries": 1,
        "retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(hours=6),
    },
    tags=["instructlake"],
) as dag:
    nightly = SparkSubmitOperator(
        task_id="nightly",
        conn_id="spark_default",
        application=JAR,
        java_class="io.instructlake.jobs.Main",
        name="instructlake-nightly",
        application_args=["nightly", "--conf", CONF, "--summary", SUMMARY],
        files=LOG4J,
        conf={
            "spark.executor.extraJavaOptions": "-Dai.djl.offline=true",
            "spark.driver.extraJavaOptions": "-Dai.djl.offline=true -Dlog4j2.configurationFile=log4j2.properties",
        },
        verbose=False,
    )
