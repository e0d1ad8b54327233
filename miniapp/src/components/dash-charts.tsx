import { Text, View } from '@tarojs/components';
import type { FunnelVM, OverdueRepVM, RankRowVM, TileVM } from '../services/adapters/dashboard.adapter';

/**
 * The dashboard's charts drawn with plain Views (CSS widths), so they look the same on H5 and in every
 * mini-program and add nothing to the package (no canvas, no chart library; see docs/architecture.md).
 */

export function Tiles({ tiles }: { tiles: TileVM[] }) {
  return (
    <View className="dash-tiles">
      {tiles.map((t) => (
        <View key={t.key} className={`dash-tile tile-${t.key}`}>
          <Text className="muted small">{t.label}</Text>
          <Text className="dash-value">{t.value}</Text>
          <Text className={`small trend-${t.trend}`}>较上期 {t.change}</Text>
        </View>
      ))}
    </View>
  );
}

/** Stages as centred bars (width = deals that reached the stage), conversion to the next between them. */
export function FunnelChart({ funnel, onStage, onLost }: { funnel: FunnelVM; onStage(key: string, name: string): void; onLost(): void }) {
  return (
    <View className="card funnel-chart">
      {funnel.stages.map((s) => (
        <View key={s.key} className="funnel-step">
          <View className={`funnel-stage ${s.won ? 'funnel-won' : ''}`} onClick={() => onStage(s.key, s.name)}>
            <Text className="funnel-name small">{s.name}</Text>
            <View className="funnel-track">
              <View className="funnel-fill" style={{ width: `${s.width}%` }}>
                <Text className="funnel-reached">{s.reached}</Text>
              </View>
            </View>
            <Text className="funnel-now small muted">
              现 {s.count} · {s.amount}
            </Text>
          </View>
          {s.conversion !== null ? <Text className="funnel-conv small">↓ 转化 {s.conversion}</Text> : null}
        </View>
      ))}
      <View className="row between small funnel-foot">
        <Text>赢单 {funnel.won}</Text>
        <Text className="bad" onClick={onLost}>
          输单 {funnel.lost} ›
        </Text>
      </View>
      <View className="row between small muted">
        <Text>赢率 {funnel.winRate}</Text>
        {funnel.lostReason ? <Text>主要输单原因：{funnel.lostReason}</Text> : null}
      </View>
    </View>
  );
}

export function RankingBars({ rows, onRow }: { rows: RankRowVM[]; onRow(row: RankRowVM): void }) {
  return (
    <View className="card rank-chart">
      {rows.map((r) => (
        <View key={r.id ?? `pool-${r.rank}`} className="rank-row" onClick={() => onRow(r)}>
          <View className="row between">
            <Text className="item-title">
              <Text className={`rank-no rank-${Math.min(r.rank, 4)}`}>{r.rank}</Text> {r.name}
              {r.department ? <Text className="muted small"> {r.department}</Text> : null}
            </Text>
            <Text className="rank-value">{r.value}</Text>
          </View>
          <View className="bar">
            <View className="bar-fill" style={{ width: `${r.width}%` }} />
          </View>
          <View className="row between small">
            <Text className="muted">{r.previous}</Text>
            <Text className={`trend-${r.trend}`}>{r.change}</Text>
          </View>
        </View>
      ))}
    </View>
  );
}

export function OverdueBars({ rows, onRow }: { rows: OverdueRepVM[]; onRow(row: OverdueRepVM): void }) {
  return (
    <View className="card overdue-chart">
      {rows.map((r) => (
        <View key={r.id} className="overdue-rep" onClick={() => onRow(r)}>
          <View className="row between">
            <Text className="item-title">{r.name}</Text>
            <Text className="bad">逾期 {r.overdue} 条 ›</Text>
          </View>
          <View className="bar">
            <View className="bar-fill bar-bad" style={{ width: `${r.width}%` }} />
          </View>
          {r.oldest ? <Text className="muted small">{r.oldest}</Text> : null}
        </View>
      ))}
    </View>
  );
}
