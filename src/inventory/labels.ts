/**
 * The IoT Sentinel device labels (Miettinen et al., ICDCS 2017): capture folder → fine label (the 27 types the
 * paper evaluates), Bulwark device type, vendor and model (from the dataset's published device list).
 * @module
 */
import type { DeviceType } from './types.ts';

export interface LabelInfo {
  /** Fine label: one of the paper's 27 device types. */
  label: string;
  type: DeviceType;
  vendor: string;
  model: string;
}

const L = (label: string, type: DeviceType, vendor: string, model: string): LabelInfo => ({ label, type, vendor, model });

/** Folder name → label (two units of one model share a label). */
export const iotSentinelFolders: Record<string, LabelInfo> = {
  Aria: L('Aria', 'scale', 'Fitbit', 'Aria WiFi scale'),
  'D-LinkCam': L('D-LinkCam', 'camera', 'D-Link', 'DCH-935L HD IP camera'),
  'D-LinkDayCam': L('D-LinkDayCam', 'camera', 'D-Link', 'DCS-930L WiFi day camera'),
  'D-LinkDoorSensor': L('D-LinkDoorSensor', 'sensor', 'D-Link', 'Door & window sensor (Z-Wave, via DCH-G020 hub)'),
  'D-LinkHomeHub': L('D-LinkHomeHub', 'hub', 'D-Link', 'DCH-G020 connected home hub'),
  'D-LinkSensor': L('D-LinkSensor', 'sensor', 'D-Link', 'DCH-S150 WiFi motion sensor'),
  'D-LinkSiren': L('D-LinkSiren', 'appliance', 'D-Link', 'DCH-S220 siren'),
  'D-LinkSwitch': L('D-LinkSwitch', 'plug', 'D-Link', 'DSP-W215 smart plug'),
  'D-LinkWaterSensor': L('D-LinkWaterSensor', 'sensor', 'D-Link', 'DCH-S160 water sensor'),
  EdimaxCam1: L('EdimaxCam', 'camera', 'Edimax', 'IC-3115W camera'),
  EdimaxCam2: L('EdimaxCam', 'camera', 'Edimax', 'IC-3115W camera'),
  EdimaxPlug1101W: L('EdimaxPlug1101W', 'plug', 'Edimax', 'SP-1101W smart plug'),
  EdimaxPlug2101W: L('EdimaxPlug2101W', 'plug', 'Edimax', 'SP-2101W smart plug'),
  EdnetCam1: L('EdnetCam', 'camera', 'Ednet', 'Wireless indoor IP camera Cube'),
  EdnetCam2: L('EdnetCam', 'camera', 'Ednet', 'Wireless indoor IP camera Cube'),
  EdnetGateway: L('EdnetGateway', 'hub', 'Ednet', 'Ednet.living power gateway'),
  HomeMaticPlug: L('HomeMaticPlug', 'plug', 'eQ-3', 'Homematic IP pluggable switch HMIP-PS'),
  HueBridge: L('HueBridge', 'hub', 'Philips', 'Hue Bridge 3241312018'),
  HueSwitch: L('HueSwitch', 'plug', 'Philips', 'Hue light switch PTM 215Z (via Hue Bridge)'),
  iKettle2: L('iKettle2', 'appliance', 'Smarter', 'iKettle 2.0 SMK20-EU'),
  Lightify: L('Lightify', 'hub', 'Osram', 'Lightify gateway'),
  MAXGateway: L('MAXGateway', 'hub', 'eQ-3', 'MAX! Cube LAN gateway'),
  SmarterCoffee: L('SmarterCoffee', 'appliance', 'Smarter', 'SmarterCoffee SMC10-EU'),
  'TP-LinkPlugHS100': L('TP-LinkPlugHS100', 'plug', 'TP-Link', 'HS100 smart plug'),
  'TP-LinkPlugHS110': L('TP-LinkPlugHS110', 'plug', 'TP-Link', 'HS110 smart plug (energy monitoring)'),
  WeMoInsightSwitch: L('WeMoInsightSwitch', 'plug', 'Belkin', 'WeMo Insight Switch F7C029'),
  WeMoInsightSwitch2: L('WeMoInsightSwitch', 'plug', 'Belkin', 'WeMo Insight Switch F7C029'),
  WeMoLink: L('WeMoLink', 'hub', 'Belkin', 'WeMo Link lighting bridge F7C031'),
  WeMoSwitch: L('WeMoSwitch', 'plug', 'Belkin', 'WeMo Switch F7C027'),
  WeMoSwitch2: L('WeMoSwitch', 'plug', 'Belkin', 'WeMo Switch F7C027'),
  Withings: L('Withings', 'scale', 'Withings', 'WS-30 wireless scale'),
};

/** Fine label → its info (the first folder of that label). */
export const labelInfo: Record<string, LabelInfo> = Object.fromEntries(
  Object.values(iotSentinelFolders).map((i) => [i.label, i]),
);
