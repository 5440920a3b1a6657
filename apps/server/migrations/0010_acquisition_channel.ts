import { type Kysely, sql } from 'kysely';

// The channel that brought each customer: the channel of their earliest event (ANL-2 "by
// acquisition channel", SEG-1 computed facts). Kept by processing from now on; filled here for
// the profiles that exist, from the events they already have.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('acquisition_channel', 'text').execute();
  await sql`
    update customers c set acquisition_channel = (
      select e.channel from events e
      where e.workspace_id = c.workspace_id and e.customer_id = c.id
      order by e.timestamp, e.seq limit 1
    )
    where c.merged_into is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('acquisition_channel').execute();
}
