import { outOfChina, wgs84ToGcj02, type LatLng } from './geo';

/** Metres between two points (haversine; enough for offsets of a few hundred metres). */
function metres(a: LatLng, b: LatLng): number {
  const r = 6371e3;
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

describe('wgs84ToGcj02', () => {
  it('moves 天安门 from its GPS position to where Chinese maps draw it (the transform’s usual reference pair)', () => {
    const p = wgs84ToGcj02({ lat: 39.908692, lng: 116.397477 });
    expect(metres(p, { lat: 39.910093, lng: 116.403719 })).toBeLessThan(2);
  });

  // Inside China the published transform shifts points by roughly 100–700 m, never by nothing.
  it.each([
    ['上海', 31.241706, 121.495094],
    ['深圳', 22.546004, 114.054264],
    ['成都', 30.657, 104.066],
    ['乌鲁木齐', 43.825, 87.617],
    ['哈尔滨', 45.803, 126.535],
  ])('shifts a point in %s by a few hundred metres', (_name, lat, lng) => {
    const d = metres({ lat, lng }, wgs84ToGcj02({ lat, lng }));
    expect(d).toBeGreaterThan(50);
    expect(d).toBeLessThan(800);
  });

  it.each([
    ['东京', 35.6762, 139.6503],
    ['悉尼', -33.8688, 151.2093],
    ['旧金山', 37.7749, -122.4194],
  ])('leaves %s (outside China) unchanged', (_name, lat, lng) => {
    expect(outOfChina({ lat, lng })).toBe(true);
    expect(wgs84ToGcj02({ lat, lng })).toEqual({ lat, lng });
  });
});
