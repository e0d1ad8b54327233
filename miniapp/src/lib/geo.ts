/**
 * Coordinates. Chinese maps and the mini-program runtimes speak GCJ-02 (国测局坐标); browsers (and so the H5
 * build inside WeCom's OAuth web view) can only give WGS-84, and Taro's H5 `getLocation` refuses `gcj02`.
 * Check-ins are stored in GCJ-02 everywhere, so H5 converts what the browser gives.
 */
export interface LatLng {
  lat: number;
  lng: number;
}

const A = 6378245.0; // Krasovsky 1940 semi-major axis, as the GCJ-02 transform defines it
const EE = 0.006693421622965943; // first eccentricity squared

/** GCJ-02 shifts only points inside China (a coarse box, as every implementation of the transform uses). */
export function outOfChina({ lat, lng }: LatLng): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function transformLng(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

/** WGS-84 (GPS, browsers) → GCJ-02 (Chinese maps, mini-programs); unchanged outside China. */
export function wgs84ToGcj02(p: LatLng): LatLng {
  if (outOfChina(p)) return { ...p };
  let dLat = transformLat(p.lng - 105, p.lat - 35);
  let dLng = transformLng(p.lng - 105, p.lat - 35);
  const radLat = (p.lat / 180) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: round6(p.lat + dLat), lng: round6(p.lng + dLng) };
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
