import { signTracking, wrapLinks, type TrackingTarget } from './tracking.link';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The parts of a campaign message with its responses tracked: in the text part every http(s) link
 * of the body becomes its click redirect (`<base>/t/c/<token>`, signed with the link it goes to);
 * an HTML part (the body escaped, line breaks kept, the same tracked links as anchors) carries the
 * open pixel `<base>/t/o/<token>`. Mail clients that show the HTML part and load images report
 * the open; a click reports itself.
 */
export function trackedMail(
  body: string,
  options: { secret: string; baseUrl: string; target: Omit<TrackingTarget, 'url'>; unsubscribe: string },
): { text: string; html: string } {
  const { secret, baseUrl, target, unsubscribe } = options;
  const click = (url: string) => `${baseUrl}/t/c/${signTracking(secret, 'click', { ...target, url })}`;
  const pixel = `${baseUrl}/t/o/${signTracking(secret, 'open', target)}`;
  const text = `${wrapLinks(body, click)}\n\n--\nUnsubscribe: ${unsubscribe}\n`;
  const html = [
    '<!doctype html><html><body>',
    `<p>${wrapLinks(escape(body), (url) => `<a href="${click(url.replace(/&#38;/g, '&'))}">${url}</a>`).replace(/\n/g, '<br>')}</p>`,
    `<p>--<br><a href="${escape(unsubscribe)}">Unsubscribe</a></p>`,
    `<img src="${pixel}" width="1" height="1" alt="">`,
    '</body></html>',
  ].join('\n');
  return { text, html };
}
