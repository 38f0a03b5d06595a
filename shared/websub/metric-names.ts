/** CloudWatch metrics (EMF) of WebSub notifications by outcome; the feed builder writes them, the stack alarms on failures. */
export const WEBSUB_METRICS = {
  namespace: 'Warta',
  service: 'warta',
  ok: 'WebSubNotificationsSent',
  failed: 'WebSubNotificationsFailed',
  skipped: 'WebSubNotificationsSkipped',
} as const;
