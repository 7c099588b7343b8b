import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    body = event.get("body") or ""
    logger.info("echoing %d bytes", len(body))
    try:
        payload = json.loads(body) if body else None
    except json.JSONDecodeError:
        return {"statusCode": 400, "body": json.dumps({"message": "body must be JSON"})}
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"echo": payload, "requestId": context.aws_request_id}),
    }
