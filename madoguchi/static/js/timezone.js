// Tell the server the browser's time zone, so times show in the viewer's zone before they have a
// profile that says so. Read by core.middleware.TimezoneMiddleware.
const COOKIE = "mdg_tz";
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const current = document.cookie.split("; ").find((part) => part.startsWith(`${COOKIE}=`));
if (zone && current !== `${COOKIE}=${encodeURIComponent(zone)}`) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${COOKIE}=${encodeURIComponent(zone)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
