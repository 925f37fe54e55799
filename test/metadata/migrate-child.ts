/**
 * A separate process that migrates the database at argv[2], starting at the epoch ms in argv[3]
 * so that several of them hit the database together. Prints the versions it applied as JSON.
 */
import { migrate } from '../../src/metadata/migrations.js';
import { openDatabase } from '../../src/metadata/open.js';

const [url, startAt] = process.argv.slice(2);
const { db, dialect } = openDatabase(url);
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
try {
  const applied = await migrate(db, dialect);
  // A store write straight after, as a worker would do, must see the finished schema.
  await db
    .insertInto('type')
    .values({ kind: 'execution', name: `child-${process.pid}` })
    .execute();
  process.stdout.write(JSON.stringify(applied) + '\n');
} finally {
  await db.destroy();
}
