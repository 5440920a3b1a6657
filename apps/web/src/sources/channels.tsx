import {
  type Icon,
  IconBuildingStore,
  IconDeviceMobile,
  IconDots,
  IconFileImport,
  IconHeartHandshake,
  IconMail,
  IconMailbox,
  IconMessage,
  IconPhone,
  IconShoppingBag,
  IconShoppingCart,
  IconUsers,
  IconWorld,
} from '@tabler/icons-react';
import type { Channel } from './api';

/** One icon per channel, used wherever a channel is shown. */
export const CHANNEL_ICONS: Record<Channel, Icon> = {
  web: IconWorld,
  mobile: IconDeviceMobile,
  store: IconBuildingStore,
  ecommerce: IconShoppingCart,
  marketplace: IconShoppingBag,
  email: IconMail,
  sms: IconMessage,
  social: IconUsers,
  phone: IconPhone,
  direct_mail: IconMailbox,
  partner: IconHeartHandshake,
  import: IconFileImport,
  other: IconDots,
};

/** The channel's icon, hidden from screen readers (the channel's name is always written next to it). */
export function ChannelIcon({ channel, size = 18 }: { channel: Channel; size?: number }) {
  const Glyph = CHANNEL_ICONS[channel] ?? IconDots;
  return <Glyph size={size} stroke={1.5} aria-hidden />;
}
