// node read.mjs CLIENT URL: one feed document as CLIENT reads it, printed as JSON
// {"version": ..., "items": [{id, title, link, date, categories}]} for tests/test_clients_node.py.
import fs from 'node:fs';
import Parser from 'rss-parser';
import { parseFeed as rowanmanning } from '@rowanmanning/feed-parser';
import { parseFeed as feedsmith } from 'feedsmith';

const PACKAGES = { 'rss-parser': 'rss-parser', rowanmanning: '@rowanmanning/feed-parser', feedsmith: 'feedsmith' };

const iso = (value) => (value ? new Date(value).toISOString() : null);
const text = (value) => (value && typeof value === 'object' ? value.value ?? value._ ?? '' : value ?? '');

const readers = {
  async 'rss-parser'(body) {
    const feed = await new Parser().parseString(body);
    return feed.items.map((item) => ({
      id: item.guid ?? item.id ?? null,
      title: item.title ?? null,
      link: item.link ?? null,
      date: iso(item.isoDate),
      categories: (item.categories ?? []).map((c) => (typeof c === 'string' ? c : c._ ?? c.term)),
    }));
  },
  async rowanmanning(body) {
    return rowanmanning(body).items.map((item) => ({
      id: item.id,
      title: item.title,
      link: item.url,
      date: iso(item.published ?? item.updated),
      categories: item.categories.map((c) => c.label ?? c.term),
    }));
  },
  async feedsmith(body) {
    const { format, feed } = feedsmith(body);
    if (format === 'atom') {
      return feed.entries.map((entry) => ({
        id: entry.id,
        title: text(entry.title),
        link: (entry.links ?? []).find((l) => (l.rel ?? 'alternate') === 'alternate')?.href ?? null,
        date: iso(entry.published ?? entry.updated),
        categories: (entry.categories ?? []).map((c) => c.label ?? c.term),
      }));
    }
    if (format === 'json') {
      return feed.items.map((item) => ({
        id: item.id, title: item.title, link: item.url, date: iso(item.date_published), categories: item.tags ?? [],
      }));
    }
    return feed.items.map((item) => ({
      id: text(item.guid), title: item.title, link: item.link, date: iso(item.pubDate),
      categories: (item.categories ?? []).map((c) => c.name),
    }));
  },
};

const [client, url] = process.argv.slice(2);
const response = await fetch(url);
if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
const items = await readers[client](await response.text());
const manifest = new URL(`node_modules/${PACKAGES[client]}/package.json`, import.meta.url);
const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
process.stdout.write(JSON.stringify({ version, items }));
