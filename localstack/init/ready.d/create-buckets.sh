#!/usr/bin/env bash
# LocalStack "ready" hook (mounted at /etc/localstack/init/ready.d): creates the buckets the
# compose files point storage_driver_url at, plus the one the conformance suite uses when
# LOCALSTACK_ENDPOINT is set. Idempotent, so a restart with a persisted volume is fine.
set -euo pipefail

BUCKETS="${STORAGE_BUCKETS:-storage1 storage2 storage3 storage-dev audius-storage-test}"

for bucket in $BUCKETS; do
  if awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    echo "bucket $bucket exists"
  else
    awslocal s3 mb "s3://$bucket"
  fi
done
