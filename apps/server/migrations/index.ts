import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_access.js';
import * as m0003 from './0003_customers.js';
import * as m0004 from './0004_ingest.js';
import * as m0005 from './0005_customers_api.js';
import * as m0006 from './0006_commerce.js';
import * as m0007 from './0007_imports.js';
import * as m0008 from './0008_customer_views.js';
import * as m0009 from './0009_password_resets.js';
import * as m0010 from './0010_acquisition_channel.js';
import * as m0011 from './0011_analytics.js';
import * as m0012 from './0012_segments.js';
import * as m0013 from './0013_analytics_rollup.js';
import * as m0014 from './0014_privacy.js';
import * as m0015 from './0015_messaging.js';
import * as m0016 from './0016_identifier_index.js';
import * as m0017 from './0017_channels.js';
import * as m0018 from './0018_journeys.js';
import * as m0019 from './0019_suppressions.js';
import * as m0020 from './0020_predictions.js';

/** Every migration, in order: one history for PGlite and PostgreSQL. */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_access': m0002,
  '0003_customers': m0003,
  '0004_ingest': m0004,
  '0005_customers_api': m0005,
  '0006_commerce': m0006,
  '0007_imports': m0007,
  '0008_customer_views': m0008,
  '0009_password_resets': m0009,
  '0010_acquisition_channel': m0010,
  '0011_analytics': m0011,
  '0012_segments': m0012,
  '0013_analytics_rollup': m0013,
  '0014_privacy': m0014,
  '0015_messaging': m0015,
  '0016_identifier_index': m0016,
  '0017_channels': m0017,
  '0018_journeys': m0018,
  '0019_suppressions': m0019,
  '0020_predictions': m0020,
};
